// Package browser holds Cartable's browser suite: tests that drive Debian's
// headless Chromium (through github.com/chromedp/chromedp) over a real
// server and database holding the demo school, as a person would use it:
// signing in, switching children, keyboard-only use, ticking homework,
// managing the timetable (a room created, then given to a lesson), a
// teacher announcing a test, and accessibility audits with axe-core. The
// server has a real file store, so attachments go through the forms.
//
// The package has no code of its own. Its tests run only when
// CARTABLE_TEST_BROWSER=1 and skip otherwise:
//
//	CARTABLE_TEST_BROWSER=1 CARTABLE_AXE=$PWD/.ci/node_modules/axe-core/axe.min.js \
//	  CARTABLE_SCREENSHOTS=/tmp/shots go test -count=1 -v -run Browser ./internal/web/browser/
//
// CARTABLE_AXE is the absolute path of axe.min.js (npm package axe-core,
// installed by .ci/run); the accessibility test fails without it.
// CARTABLE_SCREENSHOTS, when set, is a directory (absolute: tests run in the
// package directory) that receives full-page PNG screenshots of the sign-in
// page and of the home pages of a parent, a student, a teacher and the head.
package browser

// Package archcheck holds no code: its tests read the source of every
// package under internal/ and fail when the rules that make need-to-know
// hold by construction are broken (docs/architecture.md, "Access by
// construction"):
//
//   - a domain's exported function or method that reaches the database
//     takes the viewer (*access.Viewer), so that it can ask the policy
//     itself; the few that may not are listed with their reason, and
//     those said to touch no personal data are checked to return none;
//   - the web holds no SQL (no database/sql, no SQL text), asks the
//     policy nothing itself (a page gets what it may offer with the
//     domain's view) and never builds a system viewer;
//   - packages depend one way: no domain imports a web package.
package archcheck

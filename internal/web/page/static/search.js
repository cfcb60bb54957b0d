// People search as you type. The form works without this file (a plain
// GET); with it, the results follow the typing: the same page is fetched
// for the query and its results replace the shown ones, and the count is
// told to screen readers once, in the status line.
(function () {
  "use strict";
  var form = document.querySelector("form[data-search]");
  if (!form || !window.fetch || !window.DOMParser || !window.AbortController) return;
  var input = form.elements.q, results = document.getElementById("results");
  var status = document.getElementById("search-status");
  var last = input.value.trim(), timer = 0, pending = null;

  function letters(s) { return s.replace(/[^\p{L}\p{N}]/gu, "").length; }

  async function run() {
    var q = input.value.trim();
    if (q === last || (q !== "" && letters(q) < 2)) return;
    last = q;
    if (pending) pending.abort();
    pending = new AbortController();
    var url = form.action + (q === "" ? "" : "?" + new URLSearchParams({ q: q }));
    try {
      var resp = await fetch(url, { credentials: "same-origin", signal: pending.signal, headers: { "Accept": "text/html" } });
      if (!resp.ok && resp.status !== 422) return;
      var doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      var fresh = doc.getElementById("results");
      if (!fresh) return;
      results.replaceChildren.apply(results, Array.from(document.importNode(fresh, true).childNodes));
      history.replaceState(null, "", url);
      document.title = doc.title;
      if (status) {
        var said = results.querySelector("h2, .alert");
        status.textContent = said ? said.textContent : "";
      }
    } catch (e) {
      // Aborted by the next keystroke, or offline: the form still works.
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
})();

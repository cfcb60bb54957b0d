// The entry grid's progressive enhancement: Enter moves to the next row,
// what is typed is kept in this browser (localStorage) and posted as a
// draft a moment after typing stops. The page works fully without it.
(function () {
  "use strict";
  var form = document.getElementById("gb-grid");
  if (!form) { return; }
  var key = "cartable.gradebook." + form.getAttribute("data-eval");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-cell]"));
  var serverAt = parseInt(form.getAttribute("data-draft-at") || "0", 10) * 1000;
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }

  function cells() {
    var out = {};
    inputs.forEach(function (i) { out[i.getAttribute("data-cell")] = i.value; });
    return out;
  }

  if (store) {
    if (form.hasAttribute("data-saved")) {
      store.removeItem(key);
    } else if (!form.hasAttribute("data-refused")) {
      // After a re-sign-in: what this browser kept wins over an older
      // server draft (or none).
      var kept = null;
      try { kept = JSON.parse(store.getItem(key) || "null"); } catch (e) { kept = null; }
      if (kept && kept.cells && kept.at > serverAt) {
        var changed = false;
        inputs.forEach(function (i) {
          var v = kept.cells[i.getAttribute("data-cell")];
          if (typeof v === "string" && v !== i.value) { i.value = v; changed = true; }
        });
        var note = document.getElementById("gb-restored");
        if (changed && note) { note.hidden = false; }
      }
    }
  }

  var timer = null;
  function send() {
    var body = new URLSearchParams();
    body.set("csrf", form.querySelector("input[name=csrf]").value);
    var c = cells();
    Object.keys(c).forEach(function (k) { body.set("m." + k, c[k]); });
    // The marks the page showed: the draft keeps only the cells changed.
    Array.prototype.forEach.call(form.querySelectorAll("input[name^='was.']"), function (i) { body.set(i.name, i.value); });
    fetch(form.getAttribute("data-draft"), {method: "POST", body: body, credentials: "same-origin", redirect: "manual"})
      .catch(function () { /* kept in this browser meanwhile */ });
  }
  function typed() {
    if (store) {
      try { store.setItem(key, JSON.stringify({at: Date.now(), cells: cells()})); } catch (e) { /* full or refused */ }
    }
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(send, 800);
  }
  inputs.forEach(function (input, n) {
    input.addEventListener("input", typed);
    // Enter never submits from a cell (some keyboards send its keypress
    // even when the keydown was handled): the Save button does.
    input.addEventListener("keypress", function (e) {
      if (e.key === "Enter") { e.preventDefault(); }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();
      var next = inputs[n + 1];
      if (next) { next.focus(); next.select(); } else { form.querySelector("button[type=submit]").focus(); }
    });
  });
})();

// Saves the message being written as a draft while one types (the form
// also has a button that does it without JavaScript). The server answers
// the draft's id, kept in the form so that the next save updates it.
(function () {
  var form = document.getElementById("compose");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    timer = null;
    var data = new FormData(form);
    data.delete("attachments"); // files are sent with the message, not with each save
    fetch("/messages/draft", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
      .then(function (id) {
        form.elements["draft"].value = id.trim();
        if (status) status.textContent = status.getAttribute("data-saved");
      })
      .catch(function () {
        if (status) status.textContent = status.getAttribute("data-failed");
      });
  }
  form.addEventListener("input", function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
})();

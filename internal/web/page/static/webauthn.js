// Passkeys (WebAuthn): the only script of Cartable. Forms marked
// data-passkey="register" or "login" stay hidden unless this browser can
// use passkeys; every page works without this file.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function decode(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function encode(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function ids(list) {
    (list || []).forEach(function (c) { c.id = decode(c.id); });
  }
  function credential(c) {
    var r = c.response, out = {
      id: c.id, rawId: encode(c.rawId), type: c.type,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: { clientDataJSON: encode(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = encode(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = encode(r.authenticatorData);
      out.response.signature = encode(r.signature);
      if (r.userHandle) out.response.userHandle = encode(r.userHandle);
    }
    return JSON.stringify(out);
  }
  async function post(url, fields) {
    var resp = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: new URLSearchParams(fields)
    });
    var body = await resp.json().catch(function () { return {}; });
    if (!resp.ok) throw new Error(body.error || resp.statusText);
    return body;
  }

  // At an IP address the browser refuses passkeys: say why instead of
  // offering them (the server says it too when it can tell, page/passkeys.go).
  var host = location.hostname;
  if (/^[0-9.]+$/.test(host) || host.indexOf(":") >= 0) {
    document.querySelectorAll(".passkey-address").forEach(function (el) { el.hidden = false; });
    return;
  }
  document.querySelectorAll(".passkey-only").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    var status = form.parentNode.querySelector("[data-passkey-status]");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var button = form.querySelector("button");
      var fields = { csrf: form.elements.csrf.value };
      button.disabled = true;
      if (status) status.textContent = "…";
      try {
        var opts = await post(form.dataset.begin, fields);
        var pk = opts.publicKey, cred;
        pk.challenge = decode(pk.challenge);
        if (form.dataset.passkey === "register") {
          pk.user.id = decode(pk.user.id);
          ids(pk.excludeCredentials);
          cred = await navigator.credentials.create({ publicKey: pk });
          fields.name = form.elements.name ? form.elements.name.value : "";
        } else {
          ids(pk.allowCredentials);
          cred = await navigator.credentials.get({ publicKey: pk });
        }
        fields.credential = credential(cred);
        var done = await post(form.dataset.finish, fields);
        window.location.assign(done.next || "/");
      } catch (e) {
        if (status) status.textContent = e.message || String(e);
        button.disabled = false;
      }
    });
  });
})();

// Registers this device for Web Push: a service worker of this site,
// a subscription from the browser's own push service under the site's
// VAPID key, and its endpoint and keys sent to Cartable. Nothing else is
// loaded; without this script the page works and offers no push.
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return;
  }
  var status = document.getElementById("push-status");
  function key(b64) {
    var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(s), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function b64(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  box.hidden = false;
  var stop = document.getElementById("push-disable");
  // A device already registered offers to stop instead.
  navigator.serviceWorker.getRegistration("/notifications/").then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (sub) {
    if (!sub) return;
    stop.hidden = false;
    stop.addEventListener("click", function () {
      var body = new URLSearchParams();
      body.set("csrf", box.dataset.csrf);
      body.set("endpoint", sub.endpoint);
      sub.unsubscribe().then(function () {
        return fetch("/notifications/devices/forget", { method: "POST", body: body, credentials: "same-origin" });
      }).then(function () {
        stop.hidden = true;
        status.textContent = box.dataset.stopped;
      }).catch(function () {
        status.textContent = box.dataset.failed;
      });
    });
  });
  document.getElementById("push-enable").addEventListener("click", function () {
    Notification.requestPermission().then(function (p) {
      if (p !== "granted") throw new Error(box.dataset.denied);
      return navigator.serviceWorker.register("/notifications/sw.js", { scope: "/notifications/" });
    }).then(function (reg) {
      return navigator.serviceWorker.ready.then(function () {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(box.dataset.key) });
      });
    }).then(function (sub) {
      var body = new URLSearchParams();
      body.set("csrf", box.dataset.csrf);
      body.set("endpoint", sub.endpoint);
      body.set("p256dh", b64(sub.getKey("p256dh")));
      body.set("auth", b64(sub.getKey("auth")));
      return fetch("/notifications/devices", { method: "POST", body: body, credentials: "same-origin" });
    }).then(function (resp) {
      if (!resp.ok) return resp.text().then(function (t) { throw new Error(t); });
      status.textContent = box.dataset.done;
    }).catch(function (e) {
      status.textContent = (e && e.message) || box.dataset.failed;
    });
  });
})();

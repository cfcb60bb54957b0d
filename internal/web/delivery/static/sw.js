// Cartable's service worker: shows the push messages Cartable sends
// (already decrypted by the browser) and opens their page on a click.
// It caches nothing and fetches nothing.
self.addEventListener("push", function (event) {
  var m = {};
  try { m = event.data ? event.data.json() : {}; } catch (e) { m = {}; }
  event.waitUntil(self.registration.showNotification(m.title || "Cartable", {
    body: m.body || "",
    data: { url: m.url || "/notifications" },
    lang: "fr"
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/notifications";
  if (url.charAt(0) !== "/" || url.charAt(1) === "/") url = "/notifications";
  event.waitUntil(self.clients.openWindow(url));
});

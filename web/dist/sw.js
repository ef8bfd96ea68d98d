// The web client's service worker: keeps the app shell (the page, its script and its
// stylesheet) so the client opens with the network off, where flashcards go on from
// IndexedDB (src/offline.ts). Network first, so an online visit always gets the build
// the server has now; the copy is only what an offline visit falls back to. API calls
// are never touched: their offline story is the sync queue, not a cache.
const SHELL = "studytrack-app-shell";
const FILES = ["./", "./app.js", "./app.css"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

/** Where a request for the shell is kept: every page path (mailed links too) is the page. */
function shellKey(request) {
  const url = new URL(request.url);
  if (request.mode === "navigate" || !/\.(js|css)$/.test(url.pathname)) return new URL("./", self.registration.scope).href;
  return url.origin + url.pathname;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(new URL(self.registration.scope).pathname)) return;
  if (url.pathname.endsWith("/sw.js")) return;
  event.respondWith(
    fetch(request).then(
      (response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(SHELL).then((cache) => cache.put(shellKey(request), copy)));
        }
        return response;
      },
      () =>
        caches.match(shellKey(request)).then((cached) => cached ?? Response.error()),
    ),
  );
});

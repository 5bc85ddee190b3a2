/* ExtraMile's service worker (served as /sw.js, scope "/", with VERSION and SHELL set above).
 *
 * - The app shell (styles, scripts, icons, the offline page) is kept from install.
 * - Pages: network first. Today ("/") and customer pages ("/customers/<id>/") are kept when they
 *   load, the newest KEEP_PAGES for KEEP_DAYS; offline, the kept copy is served with
 *   data-served="cache" on <html>, so the page says "offline — last updated HH:MM".
 * - Nothing else is kept: no POST, no API, no other page. Changes made offline are the page's
 *   business (offline.js keeps them in IndexedDB and replays them).
 * - The page asks, by message, to clear everything (logout, another user) or to refresh Today.
 */
/* global VERSION, SHELL */
"use strict";

const SHELL_CACHE = "extramile-shell-" + VERSION;
const PAGES_CACHE = "extramile-pages";
const KEEP_PAGES = 60;
const KEEP_DAYS = 7;
const KEPT_PAGE = /^\/(customers\/\d+\/)?$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("extramile-shell-") && name !== SHELL_CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(shellFile(event, request));
  }
});

async function page(request, url) {
  const keep = KEPT_PAGE.test(url.pathname) && !url.search;
  try {
    const response = await fetch(request);
    const html = (response.headers.get("Content-Type") || "").startsWith("text/html");
    if (keep && response.ok && !response.redirected && html) {
      await store(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    if (keep) {
      const kept = await (await caches.open(PAGES_CACHE)).match(url.pathname);
      if (kept) {
        return fromCache(kept);
      }
    }
    const shell = await caches.open(SHELL_CACHE);
    return (await shell.match("/offline/")) ||
      new Response("You are offline.", { status: 503, headers: { "Content-Type": "text/plain" } });
  }
}

async function store(path, response) {
  const headers = new Headers(response.headers);
  headers.set("X-Stored-At", String(Date.now()));
  const copy = new Response(await response.blob(), {
    status: response.status, statusText: response.statusText, headers,
  });
  const cache = await caches.open(PAGES_CACHE);
  await cache.put(path, copy);
  await prune(cache);
}

async function prune(cache) {
  const entries = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    entries.push([Number(response.headers.get("X-Stored-At") || 0), request]);
  }
  entries.sort((a, b) => b[0] - a[0]);
  const oldest = Date.now() - KEEP_DAYS * 24 * 3600 * 1000;
  for (const [index, [stored, request]] of entries.entries()) {
    if (index >= KEEP_PAGES || stored < oldest) {
      await cache.delete(request);
    }
  }
}

async function fromCache(kept) {
  const text = (await kept.text()).replace('data-served="network"', 'data-served="cache"');
  return new Response(text, { status: 200, headers: kept.headers });
}

async function shellFile(event, request) {
  const cache = await caches.open(SHELL_CACHE);
  const kept = await cache.match(request);
  const fresh = fetch(request).then(async (response) => {
    if (response.ok) {
      await cache.put(request, response.clone());
    }
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => undefined));
    return kept;
  }
  return fresh;
}

self.addEventListener("message", (event) => {
  const what = event.data && event.data.type;
  let work = Promise.resolve();
  if (what === "clear") {
    work = caches.keys().then((names) => Promise.all(names.map((name) => caches.delete(name))));
  } else if (what === "refresh") {
    work = fetch("/", { credentials: "same-origin" }).then(async (response) => {
      const html = (response.headers.get("Content-Type") || "").startsWith("text/html");
      if (response.ok && !response.redirected && html) {
        await store("/", response);
      }
    }).catch(() => undefined);
  }
  event.waitUntil(work.then(() => {
    if (event.ports && event.ports[0]) {
      event.ports[0].postMessage({ done: what });
    }
  }));
});

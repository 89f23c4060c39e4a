/**
 * Verso's service worker (issue 20): lets the editor load with the network off.
 *
 * - Page navigations (GET, same origin, not /api/): network first; a 200 answer is kept and
 *   served when the network fails. Pages carry no per-user data (the user, the documents and
 *   their text all come from the API after load; tests/e2e/offline-reload.e2e.ts compares a
 *   page as two accounts), so a kept page shows nobody's data; sign-out deletes them anyway.
 * - Hashed build files (/_next/static/): cache first (their names change with their content).
 * - Everything else, /api/ above all (GraphQL, auth, import, export: credentialed and
 *   `Cache-Control: no-store`), is not touched: the browser fetches it as if there were no
 *   worker, and nothing of it is ever stored.
 *
 * Hand-written rather than generated: the maintained generators (Serwist, Workbox) need a
 * webpack plugin or a bundler with native binaries (esbuild, SWC) at build or request time,
 * for two strategies that fit here. Caches are per origin (the browser's rule).
 */
const VERSION = 'v1';
const PAGES = `verso-pages-${VERSION}`;
const STATIC = `verso-static-${VERSION}`;
/** Kept build files at most (oldest dropped first), so old builds do not pile up. */
const STATIC_MAX = 400;
/** Kept pages at most (oldest dropped first). */
const PAGES_MAX = 100;

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('verso-') && name !== PAGES && name !== STATIC) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

const sameOrigin = (url) => url.origin === self.location.origin;
const isApi = (url) => url.pathname === '/api' || url.pathname.startsWith('/api/');
const isStatic = (url) => url.pathname.startsWith('/_next/static/');
/** A page address as kept: the path and query, without the fragment (share links carry their secret there). */
const pageKey = (url) => `${url.origin}${url.pathname}${url.search}`;

async function trim(cache, max) {
  const keys = await cache.keys();
  for (const request of keys.slice(0, Math.max(0, keys.length - max))) await cache.delete(request);
}

/** Stores a copy of a good answer; a failure to store (quota) only means no offline copy. */
async function keep(cacheName, key, response, max) {
  if (response.status !== 200 || response.type !== 'basic' || response.redirected) return;
  try {
    const cache = await caches.open(cacheName);
    await cache.put(key, response);
    await trim(cache, max);
  } catch {
    // Storage refused: the page still works online.
  }
}

async function networkFirstPage(event, url) {
  try {
    const response = await fetch(event.request);
    event.waitUntil(keep(PAGES, pageKey(url), response.clone(), PAGES_MAX));
    return response;
  } catch (error) {
    const kept = await caches.match(pageKey(url), { cacheName: PAGES });
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirstStatic(event, url) {
  const kept = await caches.match(url.href, { cacheName: STATIC });
  if (kept) return kept;
  const response = await fetch(event.request);
  event.waitUntil(keep(STATIC, url.href, response.clone(), STATIC_MAX));
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!sameOrigin(url) || isApi(url)) return;
  if (isStatic(url)) {
    event.respondWith(cacheFirstStatic(event, url));
  } else if (request.mode === 'navigate') {
    event.respondWith(networkFirstPage(event, url));
  }
});

/** Build files a page's HTML names (its scripts and styles). */
const staticRefs = (html) => [...new Set(html.match(/\/_next\/static\/[^"'\s<>\\)]+/g) ?? [])];

/** Keeps one build file unless it is kept already. */
async function keepStatic(href) {
  const url = new URL(href, self.location.origin);
  if (!sameOrigin(url) || !isStatic(url) || (await caches.match(url.href, { cacheName: STATIC }))) return;
  try {
    await keep(STATIC, url.href, await fetch(url.href), STATIC_MAX);
  } catch {
    // Offline meanwhile: it is kept when next loaded.
  }
}

/**
 * From the page (lib/api-client/offline-worker.ts): `{ type: 'keep', page, assets }`. The page is
 * fetched again and kept (a client-side navigation never reached this worker as a navigation),
 * with the build files its HTML names and those the page loaded before this worker controlled
 * it (the first visit). Answers `{ type: 'kept', page }`. Sign-out deletes kept pages from the
 * page itself.
 */
self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || typeof data !== 'object' || data.type !== 'keep' || typeof data.page !== 'string') return;
  event.waitUntil(
    (async () => {
      const page = new URL(data.page, self.location.origin);
      const assets = Array.isArray(data.assets) ? data.assets.filter((a) => typeof a === 'string') : [];
      if (sameOrigin(page) && !isApi(page)) {
        try {
          const response = await fetch(pageKey(page), { credentials: 'same-origin' });
          if (response.status === 200 && (response.headers.get('content-type') ?? '').includes('text/html')) {
            assets.push(...staticRefs(await response.clone().text()));
            await keep(PAGES, pageKey(page), response, PAGES_MAX);
          }
        } catch {
          // Offline meanwhile: the next online visit keeps it.
        }
      }
      for (const asset of [...new Set(assets)].slice(0, STATIC_MAX)) await keepStatic(asset);
      event.source?.postMessage({ type: 'kept', page: data.page });
    })(),
  );
});

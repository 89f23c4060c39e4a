/**
 * The page's side of public/sw.js (issue 20): registers the service worker that lets pages load
 * with the network off, asks it to keep the page being shown (the first visit loads before the
 * worker controls it), and deletes kept pages at sign-out. Production builds only: in
 * development, build files are not content-hashed and a cache-first worker would serve stale ones.
 */

/** The cache names public/sw.js keeps pages under (any version). */
const PAGE_CACHE_PREFIX = 'verso-pages-';

/** Set on <html> to the page's address once the worker has kept it and its build files: it will load offline. */
export const OFFLINE_READY_ATTRIBUTE = 'data-offline-ready';

function controllerNow(): Promise<ServiceWorker> {
  const container = navigator.serviceWorker;
  if (container.controller) return Promise.resolve(container.controller);
  return new Promise((resolve) => {
    const changed = () => {
      if (!container.controller) return;
      container.removeEventListener('controllerchange', changed);
      resolve(container.controller);
    };
    container.addEventListener('controllerchange', changed);
    changed();
  });
}

let controller: Promise<ServiceWorker | null> | null = null;

/**
 * Registers /sw.js (scope: the whole origin) once per page load; resolves with the worker once it
 * controls the page, or null where there is none (development, an old browser, an insecure
 * origin, registration refused): pages then need the network, nothing else changes.
 */
function registered(): Promise<ServiceWorker | null> {
  controller ??= (async () => {
    if (process.env.NODE_ENV !== 'production' || typeof navigator === 'undefined' || !('serviceWorker' in navigator) || !window.isSecureContext) return null;
    try {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      return await controllerNow();
    } catch {
      return null;
    }
  })();
  return controller;
}

/**
 * Has the worker keep the page shown now (fetched again by the worker: a page reached by a
 * client-side navigation was never a navigation it saw) and the build files loaded so far (the
 * first visit loads them before the worker controls the page; later ones pass through it). Sets
 * {@link OFFLINE_READY_ATTRIBUTE} on <html> to the page's address once kept. Fails soft.
 */
export async function keepPageOffline(): Promise<void> {
  const worker = await registered();
  if (!worker) return;
  const page = location.href.split('#')[0]!;
  const assets = performance
    .getEntriesByType('resource')
    .map((entry) => entry.name)
    .filter((name) => name.startsWith(`${location.origin}/_next/static/`));
  await new Promise<void>((resolve) => {
    const answer = (event: MessageEvent) => {
      const data = event.data as { type?: unknown; page?: unknown } | null;
      if (data?.type !== 'kept' || data.page !== page) return;
      navigator.serviceWorker.removeEventListener('message', answer);
      resolve();
    };
    navigator.serviceWorker.addEventListener('message', answer);
    worker.postMessage({ type: 'keep', page, assets });
  });
  if (location.href.split('#')[0] === page) document.documentElement.setAttribute(OFFLINE_READY_ATTRIBUTE, page);
}

/** Deletes every page the worker kept (at sign-out: they hold nobody's data, but are nobody else's to keep). */
export async function forgetKeptPages(): Promise<void> {
  try {
    if (typeof caches === 'undefined') return;
    for (const name of await caches.keys()) if (name.startsWith(PAGE_CACHE_PREFIX)) await caches.delete(name);
  } catch {
    // No cache storage here: nothing was kept.
  }
}

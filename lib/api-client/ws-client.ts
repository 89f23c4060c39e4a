/**
 * The browser's graphql-ws client for the editor. It follows the browser's own idea of being
 * online: going offline closes the socket at once (instead of waiting for a timeout while edits
 * pile up unseen), and reconnection attempts wait until the browser is back online.
 *
 * A page has one: the editor, the history panel and the live comments each take a hold on it
 * with {@link acquireBrowserClient} (one tab = one socket, one place in the server's
 * per-person connection limit), and it closes when the last of them lets go.
 */
import { createClient, type Client } from 'graphql-ws';
import { GRAPHQL_PATH } from './graphql-fetch.ts';
import { sharedResource } from './shared-resource.ts';

export interface BrowserClient {
  readonly client: Client;
  /** Stops listening to online/offline and disposes the client. */
  dispose(): void;
}

const onlineNow = () => typeof navigator === 'undefined' || navigator.onLine !== false;

function waitUntilOnline(): Promise<void> {
  if (onlineNow()) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('online', () => resolve(), { once: true }));
}

/** Opens a client of its own to this origin's /api/graphql (wss on https), retrying for as long as the page lives. */
function createBrowserClient(): BrowserClient {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${GRAPHQL_PATH}`;
  const client = createClient({
    url,
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await waitUntilOnline();
      // 0.3 s, 0.6 s, 1.2 s … up to 5 s, with jitter so that a restarted server is not stampeded.
      const base = Math.min(5000, 300 * 2 ** Math.min(retries, 5));
      await new Promise((r) => setTimeout(r, base / 2 + Math.random() * (base / 2)));
    },
  });
  const offline = () => client.terminate();
  window.addEventListener('offline', offline);
  return {
    client,
    dispose: () => {
      window.removeEventListener('offline', offline);
      void client.dispose();
    },
  };
}

const pageClient = sharedResource(createBrowserClient, (browser) => browser.dispose());

/**
 * A hold on the page's one client (opened by the first hold). Its `dispose()` gives this hold
 * back; the socket closes once no hold is left. Reconnecting and resubscribing are the client's,
 * so every holder keeps them.
 */
export function acquireBrowserClient(): BrowserClient {
  const held = pageClient.acquire();
  return { client: held.value.client, dispose: () => held.release() };
}

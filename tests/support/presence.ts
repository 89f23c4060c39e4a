/** Watching a document's presence events over graphql-ws, for the presence tests. */
import type { HasUrl } from './auth.ts';
import { bearer } from './auth.ts';
import { wsClient } from './graphql-client.ts';

/** A presence event as the tests select it. */
export interface PresenceEventSeen {
  clientId: string;
  selection: unknown;
  left: boolean;
  user: { id: string; name: string | null };
}

/** The mutation that announces presence, with variables `id`, `c` (clientId) and `s` (selection). */
export const UPDATE_PRESENCE = 'mutation($id: ID!, $c: String!, $s: JSON) { updatePresence(documentId: $id, clientId: $c, selection: $s) }';

/** Subscribes to `presence` on `server` with an API token; `events` fills as they come. */
export function watchPresence(server: HasUrl, token: string, documentId: string) {
  const client = wsClient(server.url, { connectionParams: { authorization: bearer(token) } });
  const events: PresenceEventSeen[] = [];
  client.subscribe<{ presence: PresenceEventSeen }>(
    { query: 'subscription($id: ID!) { presence(documentId: $id) { clientId selection left user { id name } } }', variables: { id: documentId } },
    { next: (r) => void (r.data && events.push(r.data.presence)), error: () => {}, complete: () => {} },
  );
  return { client, events };
}

/** Losing access ends live subscriptions, on every instance (issue 4 item 7, over issue 5's streams). */
import { describe, expect, it } from 'vitest';
import { bearer } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { wsClient } from '../support/graphql-client.ts';
import { asOwner as asOwnerOf, sharedDocument as shareNew, sharingSetup } from '../support/shared-document.ts';

const setup = sharingSetup();
const asOwner = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>) => asOwnerOf<T>(setup, query, variables);
const sharedDocument = () => shareNew(setup);

/** The editor follows the document's ops and presence on instance b. */
function follow(documentId: string) {
  const client = wsClient(setup.b.url, { connectionParams: { authorization: bearer(setup.editorToken) } });
  const outcomes: Record<'ops' | 'presence', { errors: string[]; completed: boolean; versions: number[] }> = {
    ops: { errors: [], completed: false, versions: [] },
    presence: { errors: [], completed: false, versions: [] },
  };
  const sink = (key: 'ops' | 'presence') => ({
    next: (r: { data?: { documentOperations?: { version: number } } | null; errors?: ReadonlyArray<{ extensions?: { code?: unknown } }> }) => {
      for (const e of r.errors ?? []) outcomes[key].errors.push(String(e.extensions?.code));
      if (r.data?.documentOperations) outcomes[key].versions.push(r.data.documentOperations.version);
    },
    error: () => {},
    complete: () => void (outcomes[key].completed = true),
  });
  client.subscribe({ query: 'subscription($d: ID!) { documentOperations(documentId: $d, fromVersion: 0) { version } }', variables: { d: documentId } }, sink('ops'));
  client.subscribe({ query: 'subscription($d: ID!) { presence(documentId: $d) { clientId } }', variables: { d: documentId } }, sink('presence'));
  return { client, outcomes };
}

const submitAsOwner = (documentId: string, clientSeq: number) =>
  asOwner('mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
    i: { documentId, baseVersion: clientSeq - 1, clientId: 'owner', clientSeq, delta: { ops: [{ insert: 'x' }] } },
  });

describe('losing access ends live subscriptions', () => {
  it('removing a collaborator ends their op and presence streams on another instance with an error', async () => {
    const documentId = await sharedDocument();
    const { client, outcomes } = follow(documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await submitAsOwner(documentId, 1);
      await waitUntil(() => outcomes.ops.versions.length === 1, 'the first op');
      const removed = await asOwner('mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: setup.editor.userId });
      expect(removed.body.data).toEqual({ removeCollaborator: true });
      await waitUntil(() => outcomes.ops.completed && outcomes.presence.completed, 'both streams to end', 5000);
      expect(outcomes.ops.errors).toEqual(['NOT_FOUND']);
      expect(outcomes.presence.errors).toEqual(['NOT_FOUND']);
      await submitAsOwner(documentId, 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(outcomes.ops.versions).toEqual([1]);
    } finally {
      await client.dispose();
    }
  });

  it('demoting an editor to viewer keeps their streams (viewers may read)', async () => {
    const documentId = await sharedDocument();
    const { client, outcomes } = follow(documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await asOwner('mutation($d: ID!, $u: ID!) { updateCollaboratorRole(documentId: $d, userId: $u, role: VIEWER) { role } }', { d: documentId, u: setup.editor.userId });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await submitAsOwner(documentId, 1);
      await waitUntil(() => outcomes.ops.versions.length === 1, 'the op after the demotion');
      expect(outcomes.ops.errors).toEqual([]);
      expect(outcomes.ops.completed).toBe(false);
    } finally {
      await client.dispose();
    }
  });

  it('moving the document to the trash ends everyone’s streams', async () => {
    const documentId = await sharedDocument();
    const { client, outcomes } = follow(documentId);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const trashed = await asOwner('mutation($d: ID!) { moveDocumentToTrash(id: $d) { trashedAt } }', { d: documentId });
      expect(trashed.body.errors).toBeUndefined();
      await waitUntil(() => outcomes.ops.completed && outcomes.presence.completed, 'both streams to end', 5000);
      expect(outcomes.ops.errors).toEqual(['NOT_FOUND']);
    } finally {
      await client.dispose();
    }
  });
});

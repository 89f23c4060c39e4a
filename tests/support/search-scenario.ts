/**
 * The full-text search scenario (issue 20 item 3), run against a real PostgreSQL server and
 * against the embedded mode (PGlite): the same code must behave the same on both.
 */
import { expect } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { signUp, type HasUrl, type TestAccount } from './auth.ts';
import { gqlHttp } from './graphql-client.ts';

/**
 * How long the background indexer may take to bring a changed document into the index: "within
 * seconds" (one SEARCH_INDEX_INTERVAL_MS, 1 s by default, plus a pass), with room for a loaded
 * machine.
 */
export const INDEXED_WITHIN_MS = 10_000;

/** Waits until the search rows of `documentIds` match their documents' version and title; throws past {@link INDEXED_WITHIN_MS}. */
export async function indexed(server: Pick<VersoServer, 'services'>, documentIds: readonly string[]): Promise<number> {
  const started = performance.now();
  for (;;) {
    const rows = await server.services.prisma.document.findMany({
      where: { id: { in: [...documentIds] } },
      select: { id: true, version: true, title: true, search: { select: { version: true, title: true } } },
    });
    const behind = rows.filter((r) => r.search?.version !== r.version || r.search?.title !== r.title).map((r) => r.id);
    if (behind.length === 0) return performance.now() - started;
    if (performance.now() - started > INDEXED_WITHIN_MS) throw new Error(`not indexed within ${INDEXED_WITHIN_MS} ms: ${behind.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Hit {
  node: { id: string; title: string; myRole: string };
  snippet: string | null;
  snippetHighlights: Array<{ start: number; length: number }>;
}

const SEARCH = `query($s: String, $f: DocumentFilter, $first: Int, $after: String) {
  documents(search: $s, filter: $f, first: $first, after: $after) {
    edges { node { id title myRole } snippet snippetHighlights { start length } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export async function search(server: HasUrl, who: TestAccount, text: string, variables: Record<string, unknown> = {}) {
  const { body } = await gqlHttp<{ documents: { edges: Hit[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(server.url, SEARCH, { s: text, ...variables }, { cookie: who.cookie });
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.documents;
}

/** The highlighted words of a hit, as the UI would mark them. */
export const marked = (hit: Hit) => hit.snippetHighlights.map((h) => hit.snippet!.slice(h.start, h.start + h.length));

export async function createDocument(server: HasUrl, who: TestAccount, title: string, text: string): Promise<string> {
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(
    server.url,
    'mutation($t: String, $c: JSON) { createDocument(title: $t, content: $c) { id } }',
    { t: title, c: { ops: [{ insert: `${text}\n` }] } },
    { cookie: who.cookie },
  );
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.createDocument.id;
}

/** Appends `text` at `index` of the document at `baseVersion`; resolves when acknowledged. */
export async function insertText(server: HasUrl, who: TestAccount, documentId: string, baseVersion: number, index: number, text: string, clientSeq = 1) {
  const { body } = await gqlHttp<{ submitOperation: { version: number } }>(
    server.url,
    'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }',
    { i: { documentId, baseVersion, clientId: `search-test-${documentId}`, clientSeq, delta: { ops: [...(index > 0 ? [{ retain: index }] : []), { insert: text }] } } },
    { cookie: who.cookie },
  );
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.submitOperation.version;
}

/**
 * Ranked title-and-content matches with highlighted plain-text excerpts, prefixes, access like
 * the list, and edits found once the background indexer caught up (within seconds).
 */
export async function searchScenario(server: VersoServer): Promise<void> {
  const owner = await signUp(server);
  const stranger = await signUp(server);
  const inBody = await createDocument(server, owner, 'Quarterly plan', 'The budget for the lighthouse restoration is approved.');
  const inTitle = await createDocument(server, owner, 'Lighthouse notes', 'Keepers and lamps; the lighthouse needs paint.');
  const recipes = await createDocument(server, owner, 'Recipes', 'Marmalade and scones.');
  const secrets = await createDocument(server, stranger, 'Lighthouse secrets', 'Private lighthouse plans.');
  await indexed(server, [inBody, inTitle, recipes, secrets]);

  const found = await search(server, owner, 'Lighthouse');
  // Title matches weigh more; the stranger's document is not theirs to find.
  expect(found.edges.map((e) => e.node.id)).toEqual([inTitle, inBody]);
  const body = found.edges[1]!;
  expect(body.snippet).toContain('budget for the lighthouse restoration');
  expect(marked(body)).toEqual(['lighthouse']);
  // A prefix finds it as someone types; every word must match.
  expect((await search(server, owner, 'lightho')).edges.map((e) => e.node.id)).toEqual([inTitle, inBody]);
  expect((await search(server, owner, 'lighthouse budget')).edges.map((e) => e.node.id)).toEqual([inBody]);
  expect((await search(server, owner, 'zeppelin')).edges).toEqual([]);
  // tsquery syntax and markup are only text.
  expect((await search(server, owner, "!(qqq | zzz) & ' :* <xyzzy>")).edges).toEqual([]);
  expect((await search(server, owner, '  ')).edges.length).toBe(3);

  // Markup in a document comes back as text (PostgreSQL's parser leaves tag-like tokens out of
  // excerpts), marked only where it matched: nothing in a snippet is ever markup.
  const markup = await createDocument(server, owner, 'Markup', '<img src=x onerror=alert(1)> marmalade <b>bold</b>');
  await indexed(server, [markup]);
  const [hit] = (await search(server, owner, 'onerror')).edges;
  expect(hit!.node.id).toBe(markup);
  expect(hit!.snippet).toContain('src=x onerror=alert(1)> marmalade');
  expect(marked(hit!)).toEqual(['onerror']);

  // An acknowledged edit is found once indexed, within seconds.
  await insertText(server, owner, inBody, 0, 0, 'Zeppelin hangar. ');
  await indexed(server, [inBody]);
  const edited = await search(server, owner, 'zeppelin');
  expect(edited.edges.map((e) => e.node.id)).toEqual([inBody]);
  expect(marked(edited.edges[0]!)).toEqual(['Zeppelin']);

  // Pages of ranked results.
  const first = await search(server, owner, 'lighthouse', { first: 1 });
  expect(first.pageInfo.hasNextPage).toBe(true);
  const second = await search(server, owner, 'lighthouse', { first: 1, after: first.pageInfo.endCursor });
  expect([...first.edges, ...second.edges].map((e) => e.node.id)).toEqual([inTitle, inBody]);
  expect(second.pageInfo.hasNextPage).toBe(false);

  // The trash is searched only in the trash.
  await gqlHttp(server.url, 'mutation($id: ID!) { moveDocumentToTrash(id: $id) { id } }', { id: inTitle }, { cookie: owner.cookie });
  expect((await search(server, owner, 'lighthouse')).edges.map((e) => e.node.id)).toEqual([inBody]);
  expect((await search(server, owner, 'lighthouse', { f: 'TRASH' })).edges.map((e) => e.node.id)).toEqual([inTitle]);

  // Sharing gives search access; a rename is found too.
  const shared = await gqlHttp(server.url, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: VIEWER) { role } }', { d: inBody, e: stranger.email }, { cookie: owner.cookie });
  expect(shared.body.errors).toBeUndefined();
  expect((await search(server, stranger, 'budget')).edges.map((e) => [e.node.id, e.node.myRole])).toEqual([[inBody, 'VIEWER']]);
  expect((await search(server, stranger, 'budget', { f: 'OWNED' })).edges).toEqual([]);
  await gqlHttp(server.url, 'mutation($id: ID!) { renameDocument(id: $id, title: "Airship budget") { id } }', { id: inBody }, { cookie: owner.cookie });
  await indexed(server, [inBody]);
  expect((await search(server, stranger, 'airship')).edges.map((e) => e.node.title)).toEqual(['Airship budget']);
}

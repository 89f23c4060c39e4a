/**
 * History over the API on a real server (PostgreSQL, Redis, port 0): at(v) equals the replay of
 * the log across snapshot boundaries [H13], diff, restore as a live edit [H14], named versions in
 * the revision list [H4, H5], blame after interleaved edits by three people [H8, H9], export.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { apply, Delta, unwrap } from '../../lib/ot/operation.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';
import { toText } from '../../lib/export/text.ts';
import { createToken, signUp, bearer, type TestAccount } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let owner: TestAccount;
let editor: TestAccount;
let second: TestAccount;

async function as<T = Record<string, any>>(account: TestAccount, query: string, variables?: Record<string, unknown>): Promise<T> {
  const { body } = await gqlHttp<T>(server.url, query, variables, { cookie: account.cookie });
  if (body.errors) throw new Error(`${body.errors[0]?.extensions?.code}: ${body.errors[0]?.message}`);
  return body.data as T;
}

async function newSharedDocument(content?: unknown): Promise<string> {
  const created = await as(owner, 'mutation($c: JSON) { createDocument(title: "History", content: $c) { id } }', { c: content ?? null });
  const id = created.createDocument.id as string;
  for (const account of [editor, second]) {
    await as(owner, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: id, e: account.email });
  }
  return id;
}

const seqs = new Map<string, number>();
async function submit(account: TestAccount, documentId: string, baseVersion: number, delta: Delta): Promise<number> {
  const key = `${account.userId}:${documentId}`;
  const clientSeq = (seqs.get(key) ?? 0) + 1;
  seqs.set(key, clientSeq);
  const data = await as(account, 'mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', {
    i: { documentId, baseVersion, clientId: `c-${account.userId}`, clientSeq, delta: { ops: delta.ops } },
  });
  return data.submitOperation.version as number;
}

const content = async (documentId: string, version?: number): Promise<Delta> => {
  const data = await as(
    owner,
    version === undefined ? 'query($d: ID!) { document(id: $d) { content } }' : 'query($d: ID!, $v: Int!) { document(id: $d) { at(version: $v) { content } } }',
    { d: documentId, v: version },
  );
  return new Delta((version === undefined ? data.document.content : data.document.at.content).ops);
};

beforeAll(async () => {
  // Small snapshot interval so that versions fall on both sides of several snapshots.
  server = await startTestServer({ env: { SNAPSHOT_EVERY: '5' } });
  [owner, editor, second] = await Promise.all([signUp(server, { name: 'Owner' }), signUp(server, { name: 'Editor' }), signUp(server, { name: 'Second' })]);
});

describe('history API', () => {
  it('[H13] at(v) equals the replay of ops 1..v for random v, across snapshot boundaries; diff turns one into the other', async () => {
    const id = await newSharedDocument();
    const random = seededRandom(42);
    let doc = new Delta().insert('\n');
    const people = [owner, editor, second];
    for (let v = 1; v <= 23; v++) {
      const length = doc.length();
      const at = Math.floor(random() * length);
      const delta = random() < 0.7 || length < 4 ? new Delta().retain(at).insert(`w${v} `) : new Delta().retain(Math.min(at, length - 3)).delete(2);
      await submit(people[v % 3]!, id, v - 1, delta);
      doc = await content(id);
    }
    const log = await as(owner, 'query($d: ID!) { document(id: $d) { operations(fromVersion: 0) { version delta } } }', { d: id });
    const ops = (log.document.operations as Array<{ version: number; delta: { ops: Delta['ops'] } }>).map((o) => new Delta(o.delta.ops));
    expect(ops).toHaveLength(23);
    const replayTo = (v: number) => ops.slice(0, v).reduce((d, op) => unwrap(apply(d, op)), new Delta().insert('\n'));
    for (const v of [0, 4, 5, 6, 10, 11, 19, 20, 23, ...Array.from({ length: 6 }, () => Math.floor(random() * 24))]) {
      expect((await content(id, v)).ops, `version ${v}`).toEqual(replayTo(v).ops);
    }
    for (const [a, b] of [[3, 17], [17, 3], [0, 23], [12, 12]] as const) {
      const diff = await as(owner, 'query($d: ID!, $a: Int!, $b: Int!) { document(id: $d) { diff(fromVersion: $a, toVersion: $b) } }', { d: id, a, b });
      expect(unwrap(apply(replayTo(a), new Delta(diff.document.diff.ops))).ops, `diff ${a} → ${b}`).toEqual(replayTo(b).ops);
    }
  });

  it('[H14] restoreVersion applies one new op that live subscribers receive; at(head) then equals at(v); a retry with the same key is a duplicate', async () => {
    const id = await newSharedDocument({ ops: [{ insert: 'Title\n' }] });
    await submit(owner, id, 0, new Delta().retain(5).insert(' one', { bold: true }));
    await submit(editor, id, 1, new Delta().retain(5, { italic: true }).insert('!'));
    await submit(second, id, 2, new Delta().delete(3));
    const atOne = await content(id, 1);
    const { token } = await createToken(server, editor.cookie, 'history live');
    const client = wsClient(server.url, { connectionParams: { authorization: bearer(token) } });
    const received: Array<{ version: number; author: { id: string } | null }> = [];
    const subscribed = new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: 'subscription($d: ID!) { documentOperations(documentId: $d, fromVersion: 3) { version author { id } } }', variables: { d: id } },
        { next: (value) => void received.push((value.data as any).documentOperations), error: reject, complete: () => {} },
      );
      setTimeout(resolve, 300);
    });
    try {
      await subscribed;
      const restore = 'mutation($d: ID!, $v: Int!, $c: String, $s: Int) { restoreVersion(documentId: $d, version: $v, clientId: $c, clientSeq: $s) { version delta duplicate } }';
      const first = await as(owner, restore, { d: id, v: 1, c: 'restore-key', s: 1 });
      expect(first.restoreVersion).toMatchObject({ version: 4, duplicate: false });
      expect((await content(id)).ops).toEqual(atOne.ops);
      const again = await as(owner, restore, { d: id, v: 1, c: 'restore-key', s: 1 });
      expect(again.restoreVersion).toEqual({ ...first.restoreVersion, duplicate: true });
      // Already at that content: nothing to apply, no new version.
      const noop = await as(owner, restore, { d: id, v: 1 });
      expect(noop.restoreVersion).toEqual({ version: 4, delta: { ops: [] }, duplicate: false });
      await expect.poll(() => received.length).toBe(1);
      expect(received[0]).toEqual({ version: 4, author: { id: owner.userId } });
      // Restoring far back keeps history: the log still has every op.
      const far = await as(owner, restore, { d: id, v: 0 });
      expect(far.restoreVersion.version).toBe(5);
      expect((await content(id)).ops).toEqual([{ insert: 'Title\n' }]);
      const log = await as(owner, 'query($d: ID!) { document(id: $d) { version operations(fromVersion: 0) { version } } }', { d: id });
      expect(log.document.operations.map((o: { version: number }) => o.version)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await client.dispose();
    }
  });

  it('[H4][H5][H7] named versions appear in the revision list, newest first, paged by cursor', async () => {
    const id = await newSharedDocument();
    for (let v = 1; v <= 6; v++) await submit([owner, editor, second][v % 3]!, id, v - 1, new Delta().insert(`${v}`));
    const named = await as(editor, 'mutation($d: ID!) { nameVersion(documentId: $d, version: 3, name: "  Draft 1 ") { fromVersion toVersion name authors { id } } }', { d: id });
    expect(named.nameVersion).toEqual({ fromVersion: 0, toVersion: 3, name: 'Draft 1', authors: [{ id: editor.userId }, { id: second.userId }, { id: owner.userId }] });
    await submit(owner, id, 6, new Delta().insert('7'));
    const page = 'query($d: ID!, $a: String) { document(id: $d) { revisions(first: 1, after: $a) { edges { cursor node { fromVersion toVersion name createdAt authors { id } } } pageInfo { hasNextPage endCursor } } } }';
    const first = (await as(owner, page, { d: id })).document.revisions;
    expect(first.edges.map((e: any) => [e.node.fromVersion, e.node.toVersion, e.node.name])).toEqual([[3, 7, null]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = (await as(owner, page, { d: id, a: first.pageInfo.endCursor })).document.revisions;
    expect(next.edges.map((e: any) => [e.node.fromVersion, e.node.toVersion, e.node.name])).toEqual([[0, 3, 'Draft 1']]);
    expect(next.pageInfo).toEqual({ hasNextPage: false, endCursor: next.edges[0].cursor });
    const bad = await gqlHttp(server.url, page, { d: id, a: 'not-a-cursor' }, { cookie: owner.cookie });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badName = await gqlHttp(server.url, 'mutation($d: ID!) { nameVersion(documentId: $d, version: 99, name: "x") { id } }', { d: id }, { cookie: owner.cookie });
    expect(badName.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('[H8][H9][H10] blame spans cover the document exactly and credit the right people after interleaved edits by three users', async () => {
    const id = await newSharedDocument({ ops: [{ insert: 'Intro\n' }] });
    // Each person types against a stale version half of the time, so the server transforms their ops.
    await submit(owner, id, 0, new Delta().retain(5).insert(' by owner'));
    await submit(editor, id, 0, new Delta().insert('Editor: '));
    await submit(second, id, 1, new Delta().retain(14).insert(' and second'));
    await submit(editor, id, 3, new Delta().retain(8).retain(5, { bold: true }));
    await submit(owner, id, 2, new Delta().retain(8).delete(6).insert('OWNER'));
    const doc = await content(id);
    const data = await as(editor, 'query($d: ID!) { document(id: $d) { blame { version spans { start length text version author { id } } } } }', { d: id });
    const spans = data.document.blame.spans as Array<{ start: number; length: number; text: string; version: number; author: { id: string } | null }>;
    expect(data.document.blame.version).toBe(5);
    expect(spans.map((s) => s.text).join('')).toBe(toText(doc));
    spans.reduce((at, s) => (expect(s.start).toBe(at), at + s.length), 0);
    const by = (account: TestAccount) => spans.filter((s) => s.author?.id === account.userId).map((s) => s.text).join('|');
    // The owner's delete of "Intro " was made against version 2 and lands after the editor's prefix.
    expect(toText(doc)).toBe('Editor: OWNERby owner and second\n');
    expect(by(editor)).toBe('Editor: ');
    expect(by(owner)).toBe('OWNER|by owner|\n');
    expect(by(second)).toBe(' and second');
    // At an older version, blame describes that version.
    const old = await as(owner, 'query($d: ID!) { document(id: $d) { blame(version: 1) { spans { text version } } } }', { d: id });
    expect(old.document.blame.spans).toEqual([
      { text: 'Intro', version: 0 },
      { text: ' by owner', version: 1 },
      { text: '\n', version: 0 },
    ]);
  });

  it('exports html, markdown and text matching the content, at head or at a version', async () => {
    const id = await newSharedDocument({
      ops: [{ insert: 'Notes' }, { insert: '\n', attributes: { header: 1 } }, { insert: 'Plain ' }, { insert: 'bold', attributes: { bold: true } }, { insert: ' <tag> & ' }, { insert: 'link', attributes: { link: 'https://example.com/a' } }, { insert: '\n' }, { insert: 'one' }, { insert: '\n', attributes: { list: 'bullet' } }, { insert: 'two' }, { insert: '\n', attributes: { list: 'bullet' } }],
    });
    await submit(editor, id, 0, new Delta().retain(6).insert('More. '));
    const get = (query: string, account: TestAccount | null = owner) => fetch(`${server.url}/api/documents/${id}/export?${query}`, { headers: account ? { cookie: account.cookie } : {} });
    const text = await get('format=text');
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await text.text()).toBe(toText(await content(id)));
    expect(await (await get('format=text&version=0')).text()).toBe('Notes\nPlain bold <tag> & link\none\ntwo\n');
    const html = await (await get('format=html')).text();
    expect(html).toContain('<title>History</title>');
    expect(html).toContain('<h1>Notes</h1>\n<p>More. Plain <strong>bold</strong> &lt;tag&gt; &amp; <a href="https://example.com/a">link</a></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    const markdown = await get('format=markdown');
    expect(markdown.headers.get('content-disposition')).toContain('History.md');
    expect(await markdown.text()).toBe('# Notes\n\nMore. Plain **bold** \\<tag\\> & [link](https://example.com/a)\n\n- one\n- two\n');
    expect((await get('format=rtf')).status).toBe(400);
    expect((await get('format=text&version=99')).status).toBe(400);
    expect((await get('format=text&version=-1')).status).toBe(400);
  });
});

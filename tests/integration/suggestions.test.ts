/**
 * Suggestions (issue 18) on a real server with PostgreSQL and Redis: suggestOperation carried to
 * head and converted there, accept, reject, withdraw, concurrent edits around a suggestion,
 * idempotent resends, each refusal code, and `at(version)` / export showing the marks.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { DELETE_MARK, INSERT_MARK } from '../../lib/ot/suggestion.ts';
import { bearer, createToken, signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp, type GraphQLResult } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

const PAYLOAD = 'version delta duplicate';
const SUGGEST = `mutation($i: SubmitOperationInput!) { suggestOperation(input: $i) { ${PAYLOAD} } }`;
const SUBMIT = `mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { ${PAYLOAD} } }`;
const ACCEPT = `mutation($d: ID!, $s: ID!) { acceptSuggestion(documentId: $d, suggestionId: $s) { ${PAYLOAD} } }`;
const REJECT = `mutation($d: ID!, $s: ID!) { rejectSuggestion(documentId: $d, suggestionId: $s) { ${PAYLOAD} } }`;
const LIST = 'query($d: ID!) { document(id: $d) { version content suggestions { id author { id } insertedText deletedText ranges { index length version } createdAt } } }';

interface Suggestion {
  id: string;
  author: { id: string } | null;
  insertedText: string;
  deletedText: string;
  ranges: { index: number; length: number; version: number }[];
  createdAt: string;
}
interface Payload {
  version: number;
  delta: { ops: Record<string, unknown>[] };
  duplicate: boolean;
}

let server: VersoServer;
let owner: TestAccount;
let editor: TestAccount;
let commenter: TestAccount;
let viewer: TestAccount;

beforeAll(async () => {
  server = await startTestServer();
  [owner, editor, commenter, viewer] = await Promise.all([signUp(server), signUp(server), signUp(server), signUp(server)]);
});

const call = <T = Record<string, unknown>>(who: TestAccount, query: string, variables: Record<string, unknown> = {}) => gqlHttp<T>(server.url, query, variables, { cookie: who.cookie });
const code = (r: { body: GraphQLResult<unknown> }) => r.body.errors?.[0]?.extensions?.code;
const reason = (r: { body: GraphQLResult<unknown> }) => r.body.errors?.[0]?.extensions?.reason;

async function newDocument(text: string): Promise<string> {
  const created = await call<{ createDocument: { id: string } }>(owner, 'mutation($c: JSON) { createDocument(title: "Suggestions", content: $c) { id } }', { c: { ops: [{ insert: text }] } });
  const id = created.body.data!.createDocument.id;
  for (const [who, role] of [[editor, 'EDITOR'], [commenter, 'COMMENTER'], [viewer, 'VIEWER']] as const) {
    const shared = await call(owner, 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { role } }', { d: id, e: who.email, r: role });
    expect(shared.body.errors).toBeUndefined();
  }
  return id;
}

const input = (documentId: string, baseVersion: number, ops: unknown[], clientId = `s-${randomUUID()}`, clientSeq = 1) => ({ i: { documentId, baseVersion, clientId, clientSeq, delta: { ops } } });

async function suggest(who: TestAccount, documentId: string, baseVersion: number, ops: unknown[], clientId?: string) {
  return call<{ suggestOperation: Payload }>(who, SUGGEST, input(documentId, baseVersion, ops, clientId));
}

async function state(who: TestAccount, documentId: string) {
  const r = await call<{ document: { version: number; content: { ops: Record<string, unknown>[] }; suggestions: Suggestion[] } }>(who, LIST, { d: documentId });
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.document;
}

const text = (content: { ops: Record<string, unknown>[] }) => content.ops.map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');

describe('suggestOperation', () => {
  it('[SG4] a commenter proposes an insertion and a deletion; every reader lists them with author, texts and ranges at head', async () => {
    const d = await newDocument('Hello world\n');
    const clientId = `s-${randomUUID()}`;
    const r = await suggest(commenter, d, 0, [{ retain: 6 }, { insert: 'brave ' }, { delete: 5 }], clientId);
    expect(r.body.errors).toBeUndefined();
    const mark = `${clientId}:1|${commenter.userId}`;
    expect(r.body.data!.suggestOperation).toEqual({
      version: 1,
      duplicate: false,
      delta: { ops: [{ retain: 6 }, { insert: 'brave ', attributes: { [INSERT_MARK]: mark } }, { retain: 5, attributes: { [DELETE_MARK]: mark } }] },
    });
    const seen = await state(viewer, d);
    expect(text(seen.content)).toBe('Hello brave world\n');
    expect(seen.suggestions).toHaveLength(1);
    expect(seen.suggestions[0]).toMatchObject({ id: `${clientId}:1`, author: { id: commenter.userId }, insertedText: 'brave ', deletedText: 'world', ranges: [{ index: 6, length: 11, version: 1 }] });
  });

  it('[SG6] lists a suggestion named by an editor\'s own id (any <clientId>:<n>, past what the op log stores as a clientSeq)', async () => {
    const d = await newDocument('Hello\n');
    const clientId = `s-${randomUUID()}`;
    const id = `${clientId}:1733500000000`;
    const r = await suggest(commenter, d, 0, [{ retain: 5 }, { insert: '!', attributes: { [INSERT_MARK]: `${id}|${commenter.userId}` } }], clientId);
    expect(r.body.errors).toBeUndefined();
    expect((await state(viewer, d)).suggestions.map((s) => [s.id, s.insertedText])).toEqual([[id, '!']]);
  });

  it('[SG15] is carried over ops made meanwhile, then converted at head', async () => {
    const d = await newDocument('abc\n');
    const edit = await call<{ submitOperation: Payload }>(editor, SUBMIT, input(d, 0, [{ insert: 'XY' }]));
    expect(edit.body.errors).toBeUndefined();
    const r = await suggest(commenter, d, 0, [{ retain: 1 }, { delete: 1 }]); // deletes "b" as seen at 0
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.suggestOperation.version).toBe(2);
    const seen = await state(editor, d);
    expect(seen.suggestions.map((s) => [s.deletedText, s.ranges])).toEqual([['b', [{ index: 3, length: 1, version: 2 }]]]);
  });

  it('[S2] a resend answers the first answer as a duplicate, even after the document moved on', async () => {
    const d = await newDocument('one two\n');
    const clientId = `s-${randomUUID()}`;
    const first = await suggest(commenter, d, 0, [{ retain: 4 }, { delete: 3 }], clientId);
    expect(first.body.errors).toBeUndefined();
    expect((await call(editor, SUBMIT, input(d, 1, [{ insert: 'zero ' }]))).body.errors).toBeUndefined();
    const again = await suggest(commenter, d, 0, [{ retain: 4 }, { delete: 3 }], clientId);
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data!.suggestOperation).toEqual({ ...first.body.data!.suggestOperation, duplicate: true });
    expect((await state(owner, d)).version).toBe(2);
  });

  it('[SG13] refuses format changes, foreign marks, inserts inside and deletions of someone else\'s proposal, and viewers', async () => {
    const d = await newDocument('Hello world\n');
    const made = await suggest(commenter, d, 0, [{ retain: 6 }, { insert: 'brave ' }]);
    expect(made.body.errors).toBeUndefined();
    const format = await suggest(editor, d, 1, [{ retain: 5, attributes: { bold: true } }]);
    expect([code(format), reason(format)]).toEqual(['BAD_USER_INPUT', 'FORMAT_NOT_SUGGESTIBLE']);
    const inside = await suggest(editor, d, 1, [{ retain: 8 }, { insert: 'x' }]);
    expect([code(inside), reason(inside)]).toEqual(['BAD_USER_INPUT', 'FOREIGN_SUGGESTION']);
    const deletes = await suggest(editor, d, 1, [{ retain: 6 }, { delete: 3 }]);
    expect([code(deletes), reason(deletes)]).toEqual(['BAD_USER_INPUT', 'FOREIGN_SUGGESTION']);
    const foreign = await suggest(editor, d, 1, [{ insert: 'x', attributes: { [INSERT_MARK]: `abc:1|${commenter.userId}` } }]);
    expect([code(foreign), reason(foreign)]).toEqual(['BAD_USER_INPUT', 'FOREIGN_AUTHOR']);
    const misplaced = await suggest(editor, d, 1, [{ insert: 'x', attributes: { [INSERT_MARK]: 'no-author' } }]);
    expect([code(misplaced), reason(misplaced)]).toEqual(['BAD_USER_INPUT', 'MISPLACED_MARK']);
    const finalNewline = await suggest(editor, d, 1, [{ retain: 17 }, { delete: 1 }]);
    expect([code(finalNewline), reason(finalNewline)]).toEqual(['BAD_USER_INPUT', 'DOES_NOT_FIT']);
    expect(code(await suggest(viewer, d, 1, [{ insert: 'x' }]))).toBe('FORBIDDEN');
    expect((await state(owner, d)).version).toBe(1);
  });
});

describe('plain edits around suggestions [SG11]', () => {
  it('a commenter may not submitOperation; an editor may not edit inside a proposal or write marks, but may edit around it', async () => {
    const d = await newDocument('Hello world\n');
    expect((await suggest(commenter, d, 0, [{ retain: 6 }, { insert: 'brave ' }])).body.errors).toBeUndefined();
    expect(code(await call(commenter, SUBMIT, input(d, 1, [{ insert: 'x' }])))).toBe('FORBIDDEN');
    const inside = await call(editor, SUBMIT, input(d, 1, [{ retain: 8 }, { insert: 'x' }]));
    expect([code(inside), reason(inside)]).toEqual(['BAD_USER_INPUT', 'FOREIGN_SUGGESTION']);
    const across = await call(editor, SUBMIT, input(d, 1, [{ retain: 5 }, { delete: 3 }]));
    expect([code(across), reason(across)]).toEqual(['BAD_USER_INPUT', 'FOREIGN_SUGGESTION']);
    const mark = await call(editor, SUBMIT, input(d, 1, [{ retain: 6, attributes: { [INSERT_MARK]: null } }]));
    expect(code(mark)).toBe('BAD_USER_INPUT');
    const around = await call<{ submitOperation: Payload }>(editor, SUBMIT, input(d, 0, [{ retain: 6 }, { insert: 'big ' }, { retain: 5 }, { insert: '!' }]));
    expect(around.body.errors).toBeUndefined();
    const seen = await state(owner, d);
    expect(text(seen.content)).toBe('Hello brave big world!\n'); // the stored op wins the tie at 6 [S3]
    expect(seen.suggestions.map((s) => [s.insertedText, s.ranges[0]])).toEqual([['brave ', { index: 6, length: 6, version: 2 }]]);
  });
});

describe('accept and reject', () => {
  it('[SG12] an editor accepts one and rejects another (one op each, in history); accepting again is NOT_FOUND', async () => {
    const d = await newDocument('Hello world\n');
    const ins = await suggest(commenter, d, 0, [{ retain: 6 }, { insert: 'brave ' }]);
    const del = await suggest(commenter, d, 1, [{ delete: 5 }]); // not next to the first: a second suggestion [SG5]
    expect([ins.body.errors, del.body.errors]).toEqual([undefined, undefined]);
    const [b, a] = (await state(editor, d)).suggestions;
    expect([a!.insertedText, b!.deletedText]).toEqual(['brave ', 'Hello']);
    const accepted = await call<{ acceptSuggestion: Payload }>(editor, ACCEPT, { d, s: a!.id });
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data!.acceptSuggestion.version).toBe(3);
    const rejected = await call<{ rejectSuggestion: Payload }>(owner, REJECT, { d, s: b!.id });
    expect(rejected.body.errors).toBeUndefined();
    const seen = await state(viewer, d);
    expect(seen.content).toEqual({ ops: [{ insert: 'Hello brave world\n' }] });
    expect(seen.suggestions).toEqual([]);
    const again = await call(editor, ACCEPT, { d, s: a!.id });
    expect([code(again), reason(again)]).toEqual(['NOT_FOUND', 'NO_SUCH_SUGGESTION']);
    // at(version) shows the marks as they were [SG2].
    const at = await call<{ document: { at: { content: { ops: Record<string, unknown>[] } } } }>(viewer, 'query($d: ID!) { document(id: $d) { at(version: 2) { content } } }', { d });
    expect(JSON.stringify(at.body.data!.document.at.content)).toContain(DELETE_MARK);
  });

  it('accepting a deletion removes the text; the author withdraws their own; a commenter may not resolve someone else\'s; a viewer none', async () => {
    const d = await newDocument('keep drop\n');
    const del = await suggest(commenter, d, 0, [{ retain: 5 }, { delete: 4 }]);
    const ins = await suggest(editor, d, 1, [{ insert: 'new ' }]);
    expect([del.body.errors, ins.body.errors]).toEqual([undefined, undefined]);
    const [byEditor, byCommenter] = (await state(owner, d)).suggestions;
    expect(byEditor!.author?.id).toBe(editor.userId);
    expect(code(await call(commenter, REJECT, { d, s: byEditor!.id }))).toBe('FORBIDDEN');
    expect(code(await call(commenter, ACCEPT, { d, s: byCommenter!.id }))).toBe('FORBIDDEN');
    expect(code(await call(viewer, REJECT, { d, s: byCommenter!.id }))).toBe('FORBIDDEN');
    const withdrawn = await call(commenter, REJECT, { d, s: byCommenter!.id });
    expect(withdrawn.body.errors).toBeUndefined();
    expect(text((await state(owner, d)).content)).toBe('new keep drop\n');
    const del2 = await suggest(commenter, d, 3, [{ retain: 9 }, { delete: 4 }]);
    expect(del2.body.errors).toBeUndefined();
    const [, second] = (await state(owner, d)).suggestions;
    expect((await call(editor, ACCEPT, { d, s: second!.id })).body.errors).toBeUndefined();
    expect((await call(editor, ACCEPT, { d, s: byEditor!.id })).body.errors).toBeUndefined();
    expect((await state(owner, d)).content).toEqual({ ops: [{ insert: 'new keep \n' }] });
  });

  it('[SG17] export shows open suggestions', async () => {
    const d = await newDocument('Hello world\n');
    expect((await suggest(commenter, d, 0, [{ retain: 6 }, { insert: 'brave ' }])).body.errors).toBeUndefined();
    const token = (await createToken(server, owner.cookie, 'export')).token;
    const exported = await fetch(`${server.url}/api/documents/${d}/export?format=html`, { headers: { authorization: bearer(token) } });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toMatch(/<ins[^>]*>brave <\/ins>/);
  });
});

describe('blame of accepted suggestions through the API [SG16]', () => {
  const BLAME = 'query($d: ID!, $v: Int) { document(id: $d) { blame(version: $v) { version spans { start length text version author { id } } } } }';
  interface Span {
    start: number;
    length: number;
    text: string;
    version: number;
    author: { id: string } | null;
  }
  async function blame(who: TestAccount, d: string, version?: number) {
    const r = await call<{ document: { blame: { version: number; spans: Span[] } } }>(who, BLAME, { d, v: version ?? null });
    expect(r.body.errors).toBeUndefined();
    return r.body.data!.document.blame;
  }
  const credits = (spans: Span[]) => spans.map((s) => [s.text, s.author?.id ?? null, s.version]);

  it('accepted text is credited to the commenter who suggested it (at its suggestion\'s version), not to the editor who accepted; accepted deletions leave blame, rejected ones change nothing', async () => {
    const d = await newDocument('Hello world, bye\n');
    const brave = await suggest(commenter, d, 0, [{ retain: 6 }, { insert: 'brave ' }]); // v1: "Hello brave world, bye"
    const bye = await suggest(commenter, d, 1, [{ retain: 17 }, { delete: 5 }]); // v2: proposes deleting ", bye"
    const hello = await suggest(commenter, d, 2, [{ delete: 5 }]); // v3: proposes deleting "Hello"
    expect([brave.body.errors, bye.body.errors, hello.body.errors]).toEqual([undefined, undefined, undefined]);
    const open = (await state(editor, d)).suggestions;
    const id = (deleted: string, inserted = '') => open.find((s) => s.deletedText === deleted && s.insertedText === inserted)!.id;
    // Blame of the proposals themselves: the inserted proposal is the commenter's already; marks change no credit (H10).
    expect(credits((await blame(viewer, d)).spans)).toEqual([
      ['Hello ', owner.userId, 0],
      ['brave ', commenter.userId, 1],
      ['world, bye\n', owner.userId, 0],
    ]);
    for (const [accept, s] of [[true, id('', 'brave ')], [true, id(', bye')], [false, id('Hello')]] as const) {
      const r = await call(editor, accept ? ACCEPT : REJECT, { d, s });
      expect(r.body.errors).toBeUndefined();
    }
    const seen = await state(viewer, d);
    expect(seen.content).toEqual({ ops: [{ insert: 'Hello brave world\n' }] });
    const after = await blame(viewer, d);
    expect(after.version).toBe(6);
    expect(credits(after.spans)).toEqual([
      ['Hello ', owner.userId, 0],
      ['brave ', commenter.userId, 1],
      ['world\n', owner.userId, 0],
    ]);
    expect(after.spans.some((s) => s.author?.id === editor.userId)).toBe(false);
    after.spans.reduce((at, s) => (expect(s.start).toBe(at), at + s.length), 0);
  });
});

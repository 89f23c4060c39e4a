/**
 * Sharing by link (issue 20 item 2): turning it on, joining, role changes, turning it off and
 * replacing it (open streams included), rate limits, API-token scopes; and pending invitations.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startVersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, eventually, insertSharedDocument, signUp, type TestAccount } from '../support/auth.ts';
import { gqlHttp, wsClient } from '../support/graphql-client.ts';
import { startTestServer, testConfig } from '../support/server.ts';

const LINK = 'query($d: ID!) { document(id: $d) { myRole linkSharing { role url } } }';
const SET = 'mutation($d: ID!, $r: Role) { setLinkSharing(documentId: $d, role: $r) { linkSharing { role url } } }';
const RESET = 'mutation($d: ID!) { resetShareLink(documentId: $d) { linkSharing { role url } } }';
const JOIN = 'mutation($d: ID!, $s: String!) { joinSharedDocument(documentId: $d, secret: $s) { id myRole } }';
const PEOPLE = 'query($d: ID!) { collaborators(documentId: $d) { role viaLink user { id } } }';
const MY_ROLE = 'query($d: ID!) { document(id: $d) { myRole } }';

type Link = { role: string; url: string } | null;
const secretOf = (link: Link) => new URL(link!.url).hash.slice(1);

async function setup(env: Record<string, string> = {}) {
  const server = await startTestServer({ env });
  const owner = await signUp(server);
  const friend = await signUp(server);
  const documentId = await insertSharedDocument(server.services.prisma, owner.userId);
  const call = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, who: TestAccount = owner) =>
    gqlHttp<T>(server.url, query, variables, { cookie: who.cookie });
  const setLink = async (role: string | null) => (await call<{ setLinkSharing: { linkSharing: Link } }>(SET, { d: documentId, r: role })).body.data!.setLinkSharing.linkSharing;
  const join = (secret: string, who: TestAccount = friend) => call<{ joinSharedDocument: { myRole: string } }>(JOIN, { d: documentId, s: secret }, who);
  const roleOf = async (who: TestAccount) => (await call<{ document: { myRole: string } | null }>(MY_ROLE, { d: documentId }, who)).body.data?.document?.myRole ?? null;
  return { server, owner, friend, documentId, call, setLink, join, roleOf };
}

describe('sharing by link', () => {
  it('an owner turns the link on; a signed-in person opening it gets its role and shows in the share list as via link', async () => {
    const { friend, documentId, call, setLink, join, roleOf } = await setup();
    expect((await call<{ document: { linkSharing: Link } }>(LINK, { d: documentId })).body.data!.document.linkSharing).toBeNull();
    const link = await setLink('EDITOR');
    expect(link!.role).toBe('EDITOR');
    expect(link!.url).toMatch(new RegExp(`^http://localhost:3000/share/${documentId}#[A-Za-z0-9_-]{43}$`));
    // The owner sees the same link again; nobody else sees it.
    expect((await call<{ document: { linkSharing: Link } }>(LINK, { d: documentId })).body.data!.document.linkSharing).toEqual(link);

    const joined = await join(secretOf(link));
    expect(joined.body).toEqual({ data: { joinSharedDocument: { id: documentId, myRole: 'EDITOR' } } });
    expect((await call<{ document: { linkSharing: Link } }>(LINK, { d: documentId }, friend)).body.data!.document.linkSharing).toBeNull();
    const people = (await call<{ collaborators: Array<{ role: string; viaLink: boolean; user: { id: string } }> }>(PEOPLE, { d: documentId })).body.data!.collaborators;
    expect(people).toContainEqual({ role: 'EDITOR', viaLink: true, user: { id: friend.userId } });
    // Joining twice changes nothing.
    expect((await join(secretOf(link))).body.data?.joinSharedDocument.myRole).toBe('EDITOR');
    expect(await roleOf(friend)).toBe('EDITOR');
  });

  it('a wrong, truncated or old secret, or a link that is off, answers NOT_FOUND with the same message', async () => {
    const { documentId, setLink, join, server, friend } = await setup();
    const off = await join('x'.repeat(43));
    expect(off.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const link = await setLink('VIEWER');
    for (const secret of [secretOf(link).slice(0, 40), secretOf(link).toUpperCase(), '']) {
      const refused = await join(secret);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(refused.body.errors?.[0]?.message).toBe(off.body.errors?.[0]?.message);
    }
    const elsewhere = await gqlHttp(server.url, JOIN, { d: 'no-such-document', s: secretOf(link) }, { cookie: friend.cookie });
    expect(elsewhere.body.errors?.[0]?.message).toBe(off.body.errors?.[0]?.message);
    expect(await server.services.prisma.documentMember.count({ where: { documentId } })).toBe(1);
    // Signed out: UNAUTHENTICATED (the web page sends them to sign in first).
    expect((await gqlHttp(server.url, JOIN, { d: documentId, s: secretOf(link) })).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('changing the link role changes link members; an owner-given role is never touched by the link', async () => {
    const { server, owner, friend, documentId, call, setLink, join, roleOf } = await setup();
    const invited = await signUp(server);
    await call('mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: COMMENTER) { role } }', { d: documentId, e: invited.email });
    const link = await setLink('VIEWER');
    await join(secretOf(link));
    await join(secretOf(link), invited);
    await join(secretOf(link), owner);
    await setLink('EDITOR');
    expect([await roleOf(friend), await roleOf(invited), await roleOf(owner)]).toEqual(['EDITOR', 'COMMENTER', 'OWNER']);
    // An owner cannot be made by link.
    const asOwner = await call(SET, { d: documentId, r: 'OWNER' });
    expect(asOwner.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await setLink(null);
    expect([await roleOf(friend), await roleOf(invited), await roleOf(owner)]).toEqual([null, 'COMMENTER', 'OWNER']);
  });

  it('an owner choosing a link member’s role makes it their own: it outlives the link', async () => {
    const { friend, documentId, call, setLink, join, roleOf } = await setup();
    await join(secretOf(await setLink('VIEWER')));
    await call('mutation($d: ID!, $u: ID!) { updateCollaboratorRole(documentId: $d, userId: $u, role: EDITOR) { role viaLink } }', { d: documentId, u: friend.userId });
    await call(RESET, { d: documentId });
    expect(await roleOf(friend)).toBe('EDITOR');
  });

  it('replacing the link stops the old one at once and ends a link member’s open stream; the new link works', async () => {
    const { server, friend, documentId, call, setLink, join, roleOf } = await setup();
    const old = await setLink('EDITOR');
    await join(secretOf(old));
    const token = (await createToken(server, friend.cookie)).token;
    const client = wsClient(server.url, { connectionParams: { authorization: bearer(token) } });
    const codes: string[] = [];
    let completed = false;
    client.subscribe(
      { query: 'subscription($d: ID!) { documentOperations(documentId: $d, fromVersion: 0) { version } }', variables: { d: documentId } },
      { next: (r) => void (r.errors && codes.push(String(r.errors[0]?.extensions?.code))), error: () => {}, complete: () => void (completed = true) },
    );
    try {
      // The stream is open when the owner's role query over the same socket answers.
      await eventually(async () => (await call<{ document: unknown }>(MY_ROLE, { d: documentId }, friend)).body.data?.document != null);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const replaced = (await call<{ resetShareLink: { linkSharing: Link } }>(RESET, { d: documentId })).body.data!.resetShareLink.linkSharing;
      const at = Date.now();
      expect(replaced!.role).toBe('EDITOR');
      expect(secretOf(replaced)).not.toBe(secretOf(old));
      await eventually(() => completed, 2_000);
      expect(Date.now() - at).toBeLessThan(2_000);
      expect(codes).toEqual(['NOT_FOUND']);
      expect(await roleOf(friend)).toBeNull();
      expect((await join(secretOf(old))).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect((await join(secretOf(replaced))).body.data?.joinSharedDocument.myRole).toBe('EDITOR');
    } finally {
      await client.dispose();
    }
  });

  it('only owners manage the link; resetting a link that is off says to turn it on', async () => {
    const { server, friend, documentId, call } = await setup();
    const editor = await signUp(server);
    await call('mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: editor.email });
    expect((await call(SET, { d: documentId, r: 'VIEWER' }, editor)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await call(RESET, { d: documentId }, editor)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await call(SET, { d: documentId, r: 'VIEWER' }, friend)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const reset = await call(RESET, { d: documentId });
    expect(reset.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(reset.body.errors?.[0]?.message).toMatch(/turn it on with setLinkSharing/);
  });

  it('join attempts are rate-limited per account before the secret is compared', async () => {
    const { setLink, join } = await setup({ RATE_LIMIT_LINK_JOIN: '3/3600' });
    const link = await setLink('VIEWER');
    for (let i = 0; i < 3; i++) expect((await join('wrong-secret')).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const limited = await join(secretOf(link));
    expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.body.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('an API token needs the SHARE scope to join', async () => {
    const { server, friend, setLink, documentId } = await setup();
    const link = await setLink('VIEWER');
    const readWrite = (await createToken(server, friend.cookie)).token;
    const refused = await gqlHttp(server.url, JOIN, { d: documentId, s: secretOf(link) }, { authorization: bearer(readWrite) });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScope: 'share' });
    const sharing = (await createToken(server, friend.cookie, 'sharing', { scopes: ['READ', 'SHARE'] })).token;
    const joined = await gqlHttp(server.url, JOIN, { d: documentId, s: secretOf(link) }, { authorization: bearer(sharing) });
    expect(joined.body.errors).toBeUndefined();
  });

  it('never writes the secret to the logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
    const server = await startVersoServer({ config: testConfig(), logger: pino({ level: 'trace' }, sink), web: false, shutdownGraceMs: 2000 });
    try {
      const owner = await signUp(server);
      const friend = await signUp(server);
      const documentId = await insertSharedDocument(server.services.prisma, owner.userId);
      const link = (await gqlHttp<{ setLinkSharing: { linkSharing: Link } }>(server.url, SET, { d: documentId, r: 'VIEWER' }, { cookie: owner.cookie })).body.data!.setLinkSharing.linkSharing;
      await gqlHttp(server.url, JOIN, { d: documentId, s: secretOf(link) }, { cookie: friend.cookie });
      await gqlHttp(server.url, JOIN, { d: documentId, s: `${secretOf(link)}x` }, { cookie: friend.cookie });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('')).not.toContain(secretOf(link));
    } finally {
      await server.close();
    }
  });
});

describe('pending invitations', () => {
  it('owners list invitations to addresses without an account and cancel them; the address then gets nothing', async () => {
    const { server, friend, documentId, call } = await setup();
    const email = `invited-${Date.now()}@example.com`;
    await call('mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: EDITOR) { role } }', { d: documentId, e: email });
    const LIST = 'query($d: ID!) { documentInvitations(documentId: $d) { email role invitedBy { id } } }';
    expect((await call(LIST, { d: documentId })).body.data?.documentInvitations).toEqual([{ email, role: 'EDITOR', invitedBy: expect.objectContaining({}) }]);
    expect((await call(LIST, { d: documentId }, friend)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const CANCEL = 'mutation($d: ID!, $e: String!) { cancelInvitation(documentId: $d, email: $e) }';
    expect((await call(CANCEL, { d: documentId, e: email.toUpperCase() })).body.data?.cancelInvitation).toBe(true);
    expect((await call(CANCEL, { d: documentId, e: email })).body.data?.cancelInvitation).toBe(false);
    expect((await call(LIST, { d: documentId })).body.data?.documentInvitations).toEqual([]);
    const created = await signUp(server, { email });
    expect((await call(MY_ROLE, { d: documentId }, created)).body.data?.document).toBeNull();
  });
});

/** API tokens: created and shown once, stored hashed, used over HTTP and WebSocket, revoked everywhere. */
import { describe, expect, it } from 'vitest';
import { hashApiToken } from '../../lib/auth/api-tokens.ts';
import { CredentialRevocations } from '../../lib/auth/revocation.ts';
import { createLogger } from '../../lib/logger.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { bearer, createToken, eventually, openSocket, signUp } from '../support/auth.ts';

const ME = '{ me { id } }';
const LIST = '{ apiTokens { id name prefix createdAt lastUsedAt } }';

describe('API tokens', () => {
  it('are shown once, stored only as a hash, listed without the secret, and authenticate over HTTP', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const { body } = await gqlHttp<{ createApiToken: { token: string; apiToken: { id: string; name: string; prefix: string; lastUsedAt: null } } }>(
      server.url,
      'mutation { createApiToken(name: "CI") { token apiToken { id name prefix lastUsedAt } } }',
      {},
      { cookie: account.cookie },
    );
    const created = body.data!.createApiToken;
    expect(created.token).toMatch(/^verso_[A-Za-z0-9_-]{43}$/);
    expect(created.apiToken).toMatchObject({ name: 'CI', prefix: created.token.slice(0, 12), lastUsedAt: null });
    const row = await server.services.prisma.apiToken.findUniqueOrThrow({ where: { id: created.apiToken.id } });
    expect(row.tokenHash).toBe(hashApiToken(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);

    const me = await gqlHttp(server.url, ME, {}, { authorization: bearer(created.token) });
    expect(me.body.data?.me).toEqual({ id: account.userId });
    const list = await gqlHttp<{ apiTokens: Array<Record<string, unknown>> }>(server.url, LIST, {}, { cookie: account.cookie });
    expect(list.body.data?.apiTokens).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    // Last use is recorded (in the background, at most once a minute).
    await eventually(async () => (await server.services.prisma.apiToken.findUniqueOrThrow({ where: { id: created.apiToken.id } })).lastUsedAt !== null);
  });

  it('a wrong, malformed or foreign-user token is not a credential, and does not fall back to the cookie', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    for (const authorization of ['Bearer verso_' + 'x'.repeat(43), 'Bearer nope', 'Basic abc', bearer('')]) {
      const me = await gqlHttp(server.url, ME, {}, { authorization, cookie: account.cookie });
      expect(me.body.data?.me, authorization).toBeNull();
    }
  });

  it('authenticate graphql-ws through connection_init; revoking one closes its WebSockets (4401) and it stops working', async () => {
    const a = await startTestServer();
    const b = await startTestServer();
    const account = await signUp(a);
    const kept = await createToken(a, account.cookie, 'kept', { scopes: ['ACCOUNT'] });
    const doomed = await createToken(a, account.cookie, 'doomed');
    const onA = openSocket(a, { connectionParams: { authorization: bearer(doomed.token) } });
    const onB = openSocket(b, { connectionParams: { authorization: bearer(doomed.token) } });
    const keptSocket = openSocket(b, { connectionParams: { authorization: bearer(kept.token) } });
    expect((await onA.query(ME)).data?.me).toEqual({ id: account.userId });
    await Promise.all([onB.connected, keptSocket.connected]);

    // Someone else cannot revoke it.
    const stranger = await signUp(a);
    const foreign = await gqlHttp(a.url, 'mutation($id: ID!) { revokeApiToken(id: $id) }', { id: doomed.id }, { cookie: stranger.cookie });
    expect(foreign.body.data?.revokeApiToken).toBe(false);

    const revoked = await gqlHttp(a.url, 'mutation($id: ID!) { revokeApiToken(id: $id) }', { id: doomed.id }, { authorization: bearer(kept.token) });
    expect(revoked.body.data?.revokeApiToken).toBe(true);
    expect(await onA.closed).toEqual({ code: 4401, reason: 'API token revoked: use another token' });
    expect((await onB.closed).code).toBe(4401);
    expect((await keptSocket.query(ME)).data?.me).toEqual({ id: account.userId });
    await keptSocket.dispose();

    expect((await gqlHttp(a.url, ME, {}, { authorization: bearer(doomed.token) })).body.data?.me).toBeNull();
    const again = openSocket(a, { connectionParams: { authorization: bearer(doomed.token) } });
    expect((await again.closed).code).toBe(4401);
    const list = await gqlHttp<{ apiTokens: Array<{ id: string }> }>(a.url, LIST, {}, { cookie: account.cookie });
    expect(list.body.data?.apiTokens.map((t) => t.id)).toEqual([kept.id]);
  });

  it('a token made without scopes reads and writes documents but cannot mint tokens, share, trash or revoke (issue 21 item 4)', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const stranger = await signUp(server);
    // Created the way every client did before scopes existed: a name only.
    const created = await gqlHttp<{ createApiToken: { token: string; apiToken: { scopes: string[]; expiresAt: null } } }>(
      server.url, 'mutation { createApiToken(name: "integration") { token apiToken { scopes expiresAt } } }', {}, { cookie: owner.cookie });
    const { token, apiToken } = created.body.data!.createApiToken;
    expect(apiToken).toEqual({ scopes: ['READ', 'WRITE'], expiresAt: null });
    const as = (query: string, variables?: Record<string, unknown>) => gqlHttp(server.url, query, variables, { authorization: bearer(token) });
    const doc = await as('mutation { createDocument(title: "By token") { id } }');
    const documentId = (doc.body.data as { createDocument: { id: string } }).createDocument.id;
    expect((await as('mutation($i: SubmitOperationInput!) { submitOperation(input: $i) { version } }', { i: { documentId, baseVersion: 0, clientId: 't', clientSeq: 1, delta: { ops: [{ insert: 'hi' }] } } })).body.errors).toBeUndefined();
    const refusals = [
      await as('mutation { createApiToken(name: "another") { token } }'),
      await as('{ apiTokens { id } }'),
      await as('mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: OWNER) { role } }', { d: documentId, e: stranger.email }),
      await as('mutation($d: ID!) { moveDocumentToTrash(id: $d) { id } }', { d: documentId }),
    ];
    for (const refusal of refusals) {
      expect(refusal.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScope: expect.any(String) });
      expect(refusal.body.errors?.[0]?.message).toMatch(/lacks the "\w+" scope/);
    }
    expect(await server.services.prisma.documentMember.count({ where: { documentId, userId: stranger.userId } })).toBe(0);
    expect(await server.services.prisma.apiToken.count({ where: { userId: owner.userId } })).toBe(1);
    // Over WebSocket the same.
    const socket = openSocket(server, { connectionParams: { authorization: bearer(token) } });
    expect((await socket.query('mutation { createApiToken(name: "ws") { token } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await socket.dispose();
  });

  it('expire: an expired token authenticates nothing on either transport (issue 21 item 4)', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const expiresAt = new Date(Date.now() + 1200);
    const { token } = await createToken(server, account.cookie, 'short-lived', { expiresAt });
    expect((await gqlHttp(server.url, ME, {}, { authorization: bearer(token) })).body.data?.me).toEqual({ id: account.userId });
    const list = await gqlHttp<{ apiTokens: Array<{ expiresAt: string }> }>(server.url, '{ apiTokens { expiresAt } }', {}, { cookie: account.cookie });
    expect(list.body.data?.apiTokens[0]?.expiresAt).toBe(expiresAt.toISOString());
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() + 50 - Date.now()));
    expect((await gqlHttp(server.url, ME, {}, { authorization: bearer(token) })).body.data?.me).toBeNull();
    const socket = openSocket(server, { connectionParams: { authorization: bearer(token) } });
    expect((await socket.closed).code).toBe(4401);
    // Expiry must be ahead, and within a year.
    for (const bad of [new Date(Date.now() - 1000), new Date(Date.now() + 400 * 86_400_000)]) {
      const refused = await gqlHttp(server.url, 'mutation($e: DateTime) { createApiToken(name: "x", expiresAt: $e) { token } }', { e: bad.toISOString() }, { cookie: account.cookie });
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('expire: connections opened before the expiry are closed (4401) at the periodic recheck, live tokens are kept', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const expiring = await createToken(server, account.cookie, 'expiring', { expiresAt: new Date(Date.now() + 1000) });
    const lasting = await createToken(server, account.cookie, 'lasting');
    const registry = new CredentialRevocations({ pubsub: server.services.pubsub, redisPrefix: server.services.config.redisPrefix, prisma: server.services.prisma, logger: createLogger() });
    const closed: Record<string, number> = {};
    registry.track({ kind: 'token', id: expiring.id }, (code) => void (closed.expiring = code));
    registry.track({ kind: 'token', id: lasting.id }, (code) => void (closed.lasting = code));
    await registry.recheck();
    expect(closed).toEqual({});
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await registry.recheck();
    expect(closed).toEqual({ expiring: 4401 });
  });

  it('a connection registered while a recheck is reading is not closed as revoked', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const first = await createToken(server, account.cookie, 'first');
    const second = await createToken(server, account.cookie, 'second');
    const registry = new CredentialRevocations({ pubsub: server.services.pubsub, redisPrefix: server.services.config.redisPrefix, prisma: server.services.prisma, logger: createLogger() });
    const closed: Record<string, number> = {};
    registry.track({ kind: 'token', id: first.id }, (code) => void (closed.first = code));
    const recheck = registry.recheck(); // its query is now in flight, asked about `first` only
    registry.track({ kind: 'token', id: second.id }, (code) => void (closed.second = code));
    await recheck;
    expect(closed).toEqual({});
    await registry.recheck();
    expect(closed).toEqual({});
  });

  it('need a signed-in caller and a sensible name', async () => {
    const server = await startTestServer();
    const anonymous = await gqlHttp(server.url, 'mutation { createApiToken(name: "x") { token } }');
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const account = await signUp(server);
    const blank = await gqlHttp(server.url, 'mutation { createApiToken(name: "  ") { token } }', {}, { cookie: account.cookie });
    expect(blank.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('a token cannot reach past its own scopes and lifetime (review of issue 21 item 4)', () => {
  const MINT = 'mutation($scopes: [ApiTokenScope!], $expiresAt: DateTime) { createApiToken(name: "child", scopes: $scopes, expiresAt: $expiresAt) { token } }';

  it('an ACCOUNT token mints no token with a scope it lacks, nor one that outlives it', async () => {
    const server = await startTestServer();
    try {
      const account = await signUp(server);
      const expiresAt = new Date(Date.now() + 2 * 24 * 3600_000);
      const { token } = await createToken(server, account.cookie, 'account only', { scopes: ['ACCOUNT'], expiresAt });
      const as = (variables: Record<string, unknown>) => gqlHttp<{ createApiToken: { token: string } }>(server.url, MINT, variables, { authorization: bearer(token) });

      const stronger = await as({ scopes: ['SHARE'], expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      expect(stronger.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScope: 'SHARE' });
      const forever = await as({ scopes: ['ACCOUNT'] });
      expect(forever.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const later = await as({ scopes: ['ACCOUNT'], expiresAt: new Date(expiresAt.getTime() + 3600_000).toISOString() });
      expect(later.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const weaker = await as({ scopes: ['ACCOUNT'], expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      expect(weaker.body.errors).toBeUndefined();
      expect(weaker.body.data?.createApiToken.token).toBeTruthy();
    } finally {
      await server.close();
    }
  });

  it('a token without SHARE cannot make its account leave a document', async () => {
    const server = await startTestServer();
    try {
      const account = await signUp(server);
      const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Kept") { id } }', {}, { cookie: account.cookie });
      const documentId = created.body.data!.createDocument.id;
      const { token } = await createToken(server, account.cookie, 'reader', { scopes: ['READ'] });
      const leave = await gqlHttp(server.url, 'mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: account.userId }, { authorization: bearer(token) });
      expect(leave.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScope: 'SHARE' });
      const still = await gqlHttp<{ document: { myRole: string } | null }>(server.url, 'query($d: ID!) { document(id: $d) { myRole } }', { d: documentId }, { cookie: account.cookie });
      expect(still.body.data?.document?.myRole).toBe('OWNER');
    } finally {
      await server.close();
    }
  });
});

describe('expired tokens do not count against the token limit (review of issue 21 item 4)', () => {
  it('an account whose tokens all expired can create a new one', async () => {
    const server = await startTestServer();
    try {
      const account = await signUp(server);
      const { MAX_API_TOKENS } = await import('../../lib/auth/api-tokens.ts');
      for (let i = 0; i < MAX_API_TOKENS; i++) await createToken(server, account.cookie, `old ${i}`, { expiresAt: new Date(Date.now() + 3600_000) });
      // Their lifetimes run out (set in the past directly: the API only accepts future expiries).
      await server.services.prisma.apiToken.updateMany({ where: { userId: account.userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const fresh = await createToken(server, account.cookie, 'fresh');
      expect(fresh.token).toBeTruthy();
    } finally {
      await server.close();
    }
  });
});

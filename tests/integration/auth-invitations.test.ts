/**
 * Issue 21 item 5: sharing by email answers the same whether or not an account uses the address
 * (an invitation the invitee receives when they sign up), is rate-limited, leaks no id, name or
 * email of an account; with an SMTP transport, an address receives shares only once its owner
 * confirmed it from their inbox, so pre-registering a colleague's address gets nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';
import { signUp, uniqueEmail, type TestAccount } from '../support/auth.ts';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtp-catcher.ts';

const SHARE = 'mutation($d: ID!, $e: String!, $r: Role!) { shareDocument(documentId: $d, email: $e, role: $r) { email role } }';
const DOCUMENTS = '{ documents { edges { node { id myRole } } } }';

const catchers: SmtpCatcher[] = [];
afterAll(async () => {
  await Promise.all(catchers.map((c) => c.close()));
});

async function newDocument(server: { url: string }, owner: TestAccount): Promise<string> {
  const { body } = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Invite") { id } }', {}, { cookie: owner.cookie });
  return body.data!.createDocument.id;
}

describe('sharing by email without enumeration (issue 21 item 5)', () => {
  it('answers the same for an address with an account and one without; the invitee gets the role at sign-up', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const existing = await signUp(server, { name: 'Existing Person' });
    const documentId = await newDocument(server, owner);
    const share = (email: string) => gqlHttp(server.url, SHARE, { d: documentId, e: email, r: 'EDITOR' }, { cookie: owner.cookie });

    const newcomerEmail = uniqueEmail('newcomer');
    const hit = await share(existing.email);
    const miss = await share(newcomerEmail.toUpperCase());
    expect(hit.response.status).toBe(miss.response.status);
    expect(hit.body).toEqual({ data: { shareDocument: { email: existing.email, role: 'EDITOR' } } });
    expect(miss.body).toEqual({ data: { shareDocument: { email: newcomerEmail, role: 'EDITOR' } } });
    // Nothing in the hit's answer names the account.
    expect(JSON.stringify(hit.body)).not.toContain(existing.userId);
    expect(JSON.stringify(hit.body)).not.toContain('Existing Person');
    // Asking for more than the address and role is not possible: the type has nothing else.
    const probe = await gqlHttp(server.url, 'mutation($d: ID!, $e: String!) { shareDocument(documentId: $d, email: $e, role: VIEWER) { user { id } } }', { d: documentId, e: existing.email }, { cookie: owner.cookie });
    expect(probe.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const newcomer = await signUp(server, { email: newcomerEmail });
    const { body } = await gqlHttp<{ documents: { edges: Array<{ node: { id: string; myRole: string } }> } }>(server.url, DOCUMENTS, {}, { cookie: newcomer.cookie });
    expect(body.data?.documents.edges.map((e) => e.node)).toEqual([{ id: documentId, myRole: 'EDITOR' }]);
    expect(await server.services.prisma.documentInvitation.count({ where: { email: newcomerEmail } })).toBe(0);
  });

  it('is rate-limited per account with RATE_LIMITED and retryAfterSeconds', async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_SHARE: '3/3600' } });
    const owner = await signUp(server);
    const documentId = await newDocument(server, owner);
    for (let i = 0; i < 3; i += 1) {
      expect((await gqlHttp(server.url, SHARE, { d: documentId, e: uniqueEmail(), r: 'VIEWER' }, { cookie: owner.cookie })).body.errors).toBeUndefined();
    }
    const limited = await gqlHttp(server.url, SHARE, { d: documentId, e: uniqueEmail(), r: 'VIEWER' }, { cookie: owner.cookie });
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(limited.body.errors?.[0]?.message).toMatch(/wait \d+ s/);
  });

  it('with SMTP_URL, an address receives shares only after the link sent to it is opened: squatting a colleague’s address gets nothing', async () => {
    const smtp = await startSmtpCatcher();
    catchers.push(smtp);
    const server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    const owner = await signUp(server);
    const colleague = uniqueEmail('colleague');
    // Someone else registers the colleague's address first.
    const squatter = await signUp(server, { email: colleague });
    const mail = smtp.messages.find((m) => m.to.includes(colleague));
    expect(mail?.text).toMatch(/Confirm your email address/);
    const documentId = await newDocument(server, owner);
    const shared = await gqlHttp(server.url, SHARE, { d: documentId, e: colleague, r: 'EDITOR' }, { cookie: owner.cookie });
    expect(shared.body).toEqual({ data: { shareDocument: { email: colleague, role: 'EDITOR' } } });
    // Unconfirmed: the share waits as an invitation, the account sees nothing.
    const before = await gqlHttp<{ documents: { edges: unknown[] } }>(server.url, DOCUMENTS, {}, { cookie: squatter.cookie });
    expect(before.body.data?.documents.edges).toEqual([]);
    expect((await gqlHttp(server.url, 'query($id: ID!) { document(id: $id) { id } }', { id: documentId }, { cookie: squatter.cookie })).body.data?.document).toBeNull();
    // A forged or reused link does nothing.
    const forged = await fetch(`${server.url}/api/auth/verify-email?email=${encodeURIComponent(colleague)}&token=${'A'.repeat(43)}`, { redirect: 'manual' });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/Link not valid/);

    // Whoever holds the inbox opens the link: the address is confirmed and the share arrives.
    const link = /(http:\/\/\S+\/api\/auth\/verify-email\?\S+)/.exec(mail!.text)![1]!;
    const opened = await fetch(link.replace(/^http:\/\/localhost:3000/, server.url), { redirect: 'manual' });
    expect(opened.status).toBe(200);
    expect(await opened.text()).toMatch(/Address confirmed/);
    const after = await gqlHttp<{ documents: { edges: Array<{ node: { id: string } }> } }>(server.url, DOCUMENTS, {}, { cookie: squatter.cookie });
    expect(after.body.data?.documents.edges.map((e) => e.node.id)).toEqual([documentId]);
    const again = await fetch(link.replace(/^http:\/\/localhost:3000/, server.url), { redirect: 'manual' });
    expect(again.status).toBe(400);

    // A confirmed address receives later shares at once; requestEmailVerification has nothing left to do.
    expect((await gqlHttp(server.url, 'mutation { requestEmailVerification }', {}, { cookie: squatter.cookie })).body.data).toEqual({ requestEmailVerification: false });
  });

  it('without SMTP_URL the start-up log says addresses count as verified', async () => {
    const lines: string[] = [];
    const { startVersoServer } = await import('../../lib/server/http-server.ts');
    const { testConfig } = await import('../support/server.ts');
    const pino = (await import('pino')).default;
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const server = await startVersoServer({ config: testConfig(), logger, web: false, shutdownGraceMs: 1000 });
    await server.close();
    expect(lines.filter((l) => l.includes('no SMTP_URL'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('no SMTP_URL'))).toMatch(/every address counts as verified/);
  });
});

describe('an invitation stands only while its sender is an owner (review of issue 21 item 5)', () => {
  it('a removed co-owner cannot come back through an invitation they sent to another address', async () => {
    const server = await startTestServer();
    const owner = await signUp(server);
    const coOwner = await signUp(server);
    const documentId = await newDocument(server, owner);
    const shareAs = (who: TestAccount, email: string, role: string) => gqlHttp(server.url, SHARE, { d: documentId, e: email, r: role }, { cookie: who.cookie });
    expect((await shareAs(owner, coOwner.email, 'OWNER')).body.errors).toBeUndefined();
    const secondAddress = uniqueEmail('second');
    expect((await shareAs(coOwner, secondAddress, 'OWNER')).body.errors).toBeUndefined();
    const removed = await gqlHttp(server.url, 'mutation($d: ID!, $u: ID!) { removeCollaborator(documentId: $d, userId: $u) }', { d: documentId, u: coOwner.userId }, { cookie: owner.cookie });
    expect(removed.body.errors).toBeUndefined();

    const comeback = await signUp(server, { email: secondAddress });
    const { body } = await gqlHttp<{ documents: { edges: unknown[] } }>(server.url, DOCUMENTS, {}, { cookie: comeback.cookie });
    expect(body.data?.documents.edges).toEqual([]);
    expect(await server.services.prisma.documentMember.count({ where: { documentId, userId: comeback.userId } })).toBe(0);
    expect(await server.services.prisma.documentInvitation.count({ where: { email: secondAddress } })).toBe(0);
  });
});

describe('a stalled SMTP server does not stall sign-up (review of issue 21 item 5)', () => {
  it('sign-up answers within seconds when the SMTP server accepts the connection and never greets', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {}); // accepts, then says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const server = await startTestServer({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
      const started = Date.now();
      const account = await signUp(server);
      expect(account.userId).toBeTruthy();
      // nodemailer's own default would wait 30 s for the greeting (and 2 min to connect).
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
  }, 40_000);
});

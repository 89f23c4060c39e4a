import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { waitUntil } from '../support/collab-bots.ts';
import { gqlHttp } from '../support/graphql-client.ts';
import { startTestServer } from '../support/server.ts';

describe('examples/follow-document.ts', () => {
  it('opens a document with an API token, appends a line, and prints a remote edit', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const { token } = await createToken(server, account.cookie);
    const headers = { authorization: bearer(token) };
    const created = await gqlHttp<{ createDocument: { id: string } }>(server.url, 'mutation { createDocument(title: "Example") { id } }', {}, headers);
    const documentId = created.body.data!.createDocument.id;

    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/follow-document.ts', documentId], {
      env: { ...process.env, VERSO_URL: server.url, VERSO_TOKEN: token, FOLLOW_FOR_MS: '8000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    await waitUntil(() => out.includes('sent one edit'), 'the example to send its edit', 15_000);
    await waitUntil(() => out.includes('status: saved'), 'its edit to be confirmed', 10_000);
    const head = await gqlHttp<{ document: { version: number } }>(server.url, 'query($id: ID!) { document(id: $id) { version } }', { id: documentId }, headers);
    const submitted = await gqlHttp(
      server.url,
      'mutation($input: SubmitOperationInput!) { submitOperation(input: $input) { version } }',
      { input: { documentId, baseVersion: head.body.data!.document.version, clientId: 'other', clientSeq: 1, delta: { ops: [{ insert: 'Remote! ' }] } } },
      headers,
    );
    expect(submitted.body.errors).toBeUndefined();
    await waitUntil(() => out.includes('remote edit [{"insert":"Remote! "}]'), 'the remote edit to be printed', 10_000);
    expect(await exited).toBe(0);
    expect(out).toContain('opened "Example" at version 0 as OWNER');

    const content = await gqlHttp<{ document: { content: { ops: Array<{ insert: string }> } } }>(server.url, 'query($id: ID!) { document(id: $id) { content } }', { id: documentId }, headers);
    const text = content.body.data!.document.content.ops.map((o) => o.insert).join('');
    expect(text).toMatch(/^Remote! Hello from an integration at \S+\n$/);
  });

  it('appends its line as a paragraph of its own: the last paragraph keeps its text and its heading', async () => {
    const server = await startTestServer();
    const account = await signUp(server);
    const { token } = await createToken(server, account.cookie);
    const headers = { authorization: bearer(token) };
    const initial = { ops: [{ insert: 'Intro' }, { insert: '\n' }, { insert: 'Last paragraph' }, { insert: '\n', attributes: { header: 2 } }] };
    const created = await gqlHttp<{ createDocument: { id: string } }>(
      server.url,
      'mutation($content: JSON) { createDocument(title: "Example", content: $content) { id } }',
      { content: initial },
      headers,
    );
    const documentId = created.body.data!.createDocument.id;
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/follow-document.ts', documentId], {
      env: { ...process.env, VERSO_URL: server.url, VERSO_TOKEN: token, FOLLOW_FOR_MS: '1500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitUntil(() => out.includes('status: saved'), 'its edit to be confirmed', 15_000);
    expect(await exited).toBe(0);

    const content = await gqlHttp<{ document: { content: { ops: Array<{ insert: string; attributes?: Record<string, unknown> }> } } }>(
      server.url,
      'query($id: ID!) { document(id: $id) { content } }',
      { id: documentId },
      headers,
    );
    const ops = content.body.data!.document.content.ops;
    expect(ops, `${JSON.stringify(ops)}\n${out}`).toHaveLength(3);
    expect(ops[0]).toEqual({ insert: 'Intro\nLast paragraph' });
    expect(ops[1]).toEqual({ insert: '\n', attributes: { header: 2 } });
    expect(ops[2]!.insert).toMatch(/^Hello from an integration at \S+\n$/);
    expect(ops[2]!.attributes).toBeUndefined();
  });
});

/**
 * The export route answers a stalled, busy or unreachable database like the GraphQL API does
 * (its code, 429/503 and Retry-After), never as a 500 the client cannot act on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { GraphQLContext } from '../../graphql/context.ts';
import { CredentialLookupUnavailableError } from '../../lib/auth/viewer.ts';
import { handleExport } from '../../lib/server/export-route.ts';

function exchange() {
  const headers = new Map<string, string>();
  let body = '';
  const res = {
    statusCode: 200,
    setHeader: (name: string, value: string) => headers.set(name.toLowerCase(), String(value)),
    end: (chunk?: string) => {
      body = chunk ?? '';
    },
  };
  const req = { method: 'GET', url: '/api/documents/doc-1/export?format=text' };
  return {
    req: req as unknown as IncomingMessage,
    res: res as unknown as ServerResponse,
    answer: () => ({ status: res.statusCode, retryAfter: headers.get('retry-after'), errors: (JSON.parse(body) as { errors: { message: string; extensions: { code: string } }[] }).errors }),
  };
}

const failingWith = (error: unknown) => async (): Promise<GraphQLContext> => {
  throw error;
};
const readFailingWith = (error: unknown) => async (): Promise<GraphQLContext> =>
  ({ services: { exports: { export: () => Promise.reject(error) } } }) as unknown as GraphQLContext;

describe('export route under database failures', () => {
  it('a credential that could not be checked (stalled PostgreSQL) answers 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    const { req, res, answer } = exchange();
    await handleExport(req, res, 'doc-1', failingWith(new CredentialLookupUnavailableError(new Error('stalled'))));
    expect(answer()).toMatchObject({ status: 503, retryAfter: '2', errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
  });

  it('no pool connection in time while reading answers 429 RATE_LIMITED with Retry-After', async () => {
    const { req, res, answer } = exchange();
    await handleExport(req, res, 'doc-1', readFailingWith(new Error('timeout exceeded when trying to connect')));
    expect(answer()).toMatchObject({ status: 429, retryAfter: '2', errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
  });

  it('an unreachable database while reading answers 503 SERVICE_UNAVAILABLE', async () => {
    const { req, res, answer } = exchange();
    await handleExport(req, res, 'doc-1', readFailingWith(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })));
    expect(answer()).toMatchObject({ status: 503, errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
  });

  it('any other failure is not disguised: it is thrown to the server (a 500 there)', async () => {
    const { req, res } = exchange();
    await expect(handleExport(req, res, 'doc-1', readFailingWith(new TypeError('a bug')))).rejects.toThrow('a bug');
  });
});

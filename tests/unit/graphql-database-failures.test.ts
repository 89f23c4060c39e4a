/**
 * graphql/errors.ts `databaseFailure` and `answerDatabaseFailures` (review leftovers, item 3):
 * which database failures get which stable code, and that every resolver and subscribe function of
 * a schema answers them so (sync or async), while other errors stay as they were.
 */
import { GraphQLError, GraphQLObjectType, GraphQLSchema, GraphQLString, execute, parse, subscribe, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../lib/db/prisma.ts';
import { answerDatabaseFailures, databaseFailure, DATABASE_RETRY_AFTER_SECONDS } from '../../graphql/errors.ts';

const known = (code: string, meta?: Record<string, unknown>) => new Prisma.PrismaClientKnownRequestError(`failure ${code}`, { code, clientVersion: 'test', meta });
const poolTimeout = () => new Error('timeout exceeded when trying to connect');

describe('databaseFailure', () => {
  it('a pool or transaction start that waited too long is RATE_LIMITED with retryAfterSeconds', () => {
    for (const error of [poolTimeout(), known('P2024')]) {
      expect(databaseFailure(error)?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
    }
    const startTimeout = new Prisma.PrismaClientKnownRequestError('Transaction API error: Unable to start a transaction in the given time.', { code: 'P2028', clientVersion: 'test' });
    expect(databaseFailure(startTimeout)?.extensions.code).toBe('RATE_LIMITED');
    // Other transaction API errors are bugs, not load.
    expect(databaseFailure(new Prisma.PrismaClientKnownRequestError('Transaction API error: Transaction not found.', { code: 'P2028', clientVersion: 'test' }))).toBeNull();
  });

  it('an unreachable database, a closed connection, too many connections or a cancelled statement is SERVICE_UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const terminated = new Error('Connection terminated due to connection timeout');
    const cases = [refused, terminated, known('P1001'), known('P1017'), known('P2037'), known('P2039', { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57014' } } })];
    for (const error of cases) {
      expect(databaseFailure(error)?.extensions, String(error)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
    }
  });

  it('anything else is not a database failure', () => {
    expect(databaseFailure(new Error('bug'))).toBeNull();
    expect(databaseFailure(known('P2002'))).toBeNull();
    expect(databaseFailure(known('P2039', { driverAdapterError: { cause: { kind: 'postgres', originalCode: '22P02' } } }))).toBeNull();
    expect(databaseFailure(new GraphQLError('already answered', { extensions: { code: 'NOT_FOUND' } }))).toBeNull();
    expect(databaseFailure('text')).toBeNull();
  });
});

describe('answerDatabaseFailures', () => {
  const schema = answerDatabaseFailures(
    new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          syncBusy: {
            type: GraphQLString,
            resolve: () => {
              throw poolTimeout();
            },
          },
          asyncBusy: { type: GraphQLString, resolve: async () => Promise.reject(poolTimeout()) },
          nested: {
            type: new GraphQLObjectType({ name: 'Nested', fields: { down: { type: GraphQLString, resolve: async () => Promise.reject(known('P1017')) } } }),
            resolve: () => ({}),
          },
          bug: { type: GraphQLString, resolve: async () => Promise.reject(new Error('a bug')) },
          fine: { type: GraphQLString, resolve: () => 'fine' },
        },
      }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: { feed: { type: GraphQLString, subscribe: async () => Promise.reject(poolTimeout()) } },
      }),
    }),
  );
  const codes = (result: ExecutionResult) => Object.fromEntries((result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions.code ?? null]));

  it('answers database failures of any resolver with their code and leaves other errors and results alone', async () => {
    const result = await execute({ schema, document: parse('{ syncBusy asyncBusy nested { down } bug fine }') });
    expect(codes(result)).toEqual({ syncBusy: 'RATE_LIMITED', asyncBusy: 'RATE_LIMITED', 'nested.down': 'SERVICE_UNAVAILABLE', bug: null });
    expect(result.errors?.find((e) => e.path?.[0] === 'bug')?.message).toBe('a bug');
    expect(result.data?.fine).toBe('fine');
  });

  it('answers a subscribe function that fails on the database', async () => {
    const result = (await subscribe({ schema, document: parse('subscription { feed }') })) as ExecutionResult;
    expect(result.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
  });
});

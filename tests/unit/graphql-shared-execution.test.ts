/**
 * graphql/shared-execution.ts: subscribers of `documentOperations` (and of
 * `documentOperationBatches`, keyed by the batch array) share one execution per event and
 * selection set; other subscriptions, other selections and different variables below the
 * root field execute separately; error items are never shared.
 */
import { describe, expect, it } from 'vitest';
import { GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { sharedSubscribe, sharingKey, sharingPlan } from '../../graphql/shared-execution.ts';

interface Op {
  version: number;
}

function setup() {
  let executions = 0;
  const listeners = new Set<(item: { value: Op } | { error: Error }) => void>();
  const stream = () => {
    const queue: Array<{ value: Op } | { error: Error }> = [];
    let wake: (() => void) | null = null;
    const listener = (item: { value: Op } | { error: Error }) => {
      queue.push(item);
      wake?.();
    };
    listeners.add(listener);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<{ value: Op } | { error: Error }>> {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        return { done: false, value: queue.shift()! };
      },
      async return(): Promise<IteratorResult<{ value: Op } | { error: Error }>> {
        listeners.delete(listener);
        return { done: true, value: undefined };
      },
    };
  };
  const Op = new GraphQLObjectType<Op>({
    name: 'Op',
    fields: {
      version: {
        type: GraphQLInt,
        resolve: (op) => {
          executions += 1;
          return op.version;
        },
      },
      label: { type: GraphQLString, args: { prefix: { type: GraphQLString } }, resolve: (op, args: { prefix?: string }) => `${args.prefix ?? ''}${op.version}` },
    },
  });
  const unwrap = (item: { value: Op } | { error: Error }) => {
    if ('error' in item) throw item.error;
    return item.value;
  };
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        documentOperations: { type: Op, args: { documentId: { type: new GraphQLNonNull(GraphQLID) } }, subscribe: stream, resolve: unwrap },
        somethingPrivate: { type: Op, subscribe: stream, resolve: unwrap },
      },
    }),
  });
  const publish = (item: { value: Op } | { error: Error }) => listeners.forEach((l) => l(item));
  return { schema, publish, executions: () => executions };
}

async function open(schema: GraphQLSchema, query: string, variableValues: Record<string, unknown> = {}) {
  const result = await sharedSubscribe({ schema, document: parse(query), variableValues });
  if (!(Symbol.asyncIterator in result)) throw new Error(JSON.stringify(result));
  return result;
}

describe('shared subscription execution', () => {
  it('executes an op once for any number of documentOperations subscribers with the same selection, whatever their documentId variable', async () => {
    const { schema, publish, executions } = setup();
    const query = 'subscription($d: ID!) { documentOperations(documentId: $d) { version } }';
    const subscribers = await Promise.all(Array.from({ length: 5 }, (_, i) => open(schema, query, { d: `doc-${i % 2}` })));
    const op = { version: 7 };
    const pending = subscribers.map((s) => s.next());
    // Each subscriber's own wrapper object around the same op, as live streams push them.
    publish({ value: op });
    const results = await Promise.all(pending);
    expect(results.map((r) => (r.value as ExecutionResult).data)).toEqual(Array.from({ length: 5 }, () => ({ documentOperations: { version: 7 } })));
    expect(executions()).toBe(1);
    await Promise.all(subscribers.map((s) => s.return?.()));
  });

  it('executes separately for other selections, other variables below the root field, other fields, and error items', async () => {
    const { schema, publish, executions } = setup();
    const a = await open(schema, 'subscription { documentOperations(documentId: "x") { version } }');
    const b = await open(schema, 'subscription { documentOperations(documentId: "x") { version label } }');
    const c1 = await open(schema, 'subscription($p: String) { documentOperations(documentId: "x") { version label(prefix: $p) } }', { p: 'A' });
    const c2 = await open(schema, 'subscription($p: String) { documentOperations(documentId: "x") { version label(prefix: $p) } }', { p: 'B' });
    const p = await open(schema, 'subscription { somethingPrivate { version } }');
    const all = [a, b, c1, c2, p];
    const pending = all.map((s) => s.next());
    publish({ value: { version: 3 } });
    const results = (await Promise.all(pending)).map((r) => (r.value as ExecutionResult).data);
    expect(results[2]).toEqual({ documentOperations: { version: 3, label: 'A3' } });
    expect(results[3]).toEqual({ documentOperations: { version: 3, label: 'B3' } });
    expect(executions()).toBe(5);
    const failing = all.map((s) => s.next());
    publish({ error: new Error('access ended') });
    const errors = (await Promise.all(failing)).map((r) => (r.value as ExecutionResult).errors?.[0]?.message);
    expect(errors).toEqual(Array.from({ length: 5 }, () => 'access ended'));
    await Promise.all(all.map((s) => s.return?.()));
  });

  it('sharingKey: null for queries, several root fields and fields not on the list', () => {
    const { schema } = setup();
    const key = (query: string) => sharingKey({ schema, document: parse(query) });
    expect(key('subscription { documentOperations(documentId: "x") { version } }')).not.toBeNull();
    expect(key('query { ok }')).toBeNull();
    expect(key('subscription { somethingPrivate { version } }')).toBeNull();
    expect(key('subscription { a: documentOperations(documentId: "x") { version } b: documentOperations(documentId: "y") { version } }')).toBeNull();
  });
});

describe('shared execution of documentOperationBatches', () => {
  it('executes a batch once for every subscriber given the same array (each in its own { value } item); another array executes again', async () => {
    let executions = 0;
    type Item = { value: readonly Op[] } | { error: Error };
    const listeners = new Set<(item: Item) => void>();
    const stream = () => {
      const queue: Item[] = [];
      let wake: (() => void) | null = null;
      const listener = (item: Item) => {
        queue.push(item);
        wake?.();
      };
      listeners.add(listener);
      return {
        [Symbol.asyncIterator]() {
          return this;
        },
        async next(): Promise<IteratorResult<Item>> {
          while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          return { done: false, value: queue.shift()! };
        },
        async return(): Promise<IteratorResult<Item>> {
          listeners.delete(listener);
          return { done: true, value: undefined };
        },
      };
    };
    const Op = new GraphQLObjectType<Op>({
      name: 'Op',
      fields: { version: { type: GraphQLInt, resolve: (op) => (executions++, op.version) } },
    });
    const Batch = new GraphQLObjectType<readonly Op[]>({ name: 'OperationBatch', fields: { operations: { type: new GraphQLList(Op), resolve: (batch) => batch } } });
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          documentOperationBatches: {
            type: Batch,
            args: { documentId: { type: new GraphQLNonNull(GraphQLID) } },
            subscribe: stream,
            resolve: (item: Item) => {
              if ('error' in item) throw item.error;
              return item.value;
            },
          },
        },
      }),
    });
    const query = 'subscription($d: ID!) { documentOperationBatches(documentId: $d) { operations { version } } }';
    const subscribers = await Promise.all(Array.from({ length: 4 }, () => open(schema, query, { d: 'doc' })));
    const batch = Object.freeze([{ version: 1 }, { version: 2 }, { version: 3 }]);
    let pending = subscribers.map((s) => s.next());
    listeners.forEach((l) => l({ value: batch })); // a new wrapper per subscriber, the same array
    const results = await Promise.all(pending);
    for (const r of results) expect((r.value as ExecutionResult).data).toEqual({ documentOperationBatches: { operations: [{ version: 1 }, { version: 2 }, { version: 3 }] } });
    expect(executions).toBe(3); // once per op of the batch, not per subscriber
    pending = subscribers.map((s) => s.next());
    listeners.forEach((l) => l({ value: [{ version: 4 }] })); // a catch-up batch of each subscriber's own
    await Promise.all(pending);
    expect(executions).toBe(3 + 4);
    await Promise.all(subscribers.map((s) => s.return?.()));
  });

  it('walks a parsed document once, however many executions ask for its sharing key (memoised per DocumentNode)', () => {
    const { schema } = setup();
    /** A parsed document that counts how often its definitions are read (every AST walk starts there). */
    const counted = (query: string) => {
      const counter = { reads: 0 };
      const document = new Proxy(parse(query), {
        get(target, key, receiver) {
          if (key === 'definitions') counter.reads += 1;
          return Reflect.get(target, key, receiver);
        },
      });
      return { document, counter };
    };
    const shared = counted('subscription($d: ID!, $p: String) { documentOperations(documentId: $d) { version label(prefix: $p) } }');
    const first = sharingKey({ schema, document: shared.document, variableValues: { d: 'a', p: 'x' } });
    const walked = shared.counter.reads;
    expect(walked).toBeGreaterThan(0);
    const sameSelection = sharingKey({ schema, document: shared.document, variableValues: { d: 'b', p: 'x' } });
    const otherPrefix = sharingKey({ schema, document: shared.document, variableValues: { d: 'a', p: 'y' } });
    expect(shared.counter.reads).toBe(walked);
    // The memoised plan still keys by the variables used below the root field, and only by them.
    expect(sameSelection).toBe(first);
    expect(otherPrefix).not.toBe(first);
    expect(sharingPlan(shared.document, undefined)).toBe(sharingPlan(shared.document, null));

    // An operation that may not share is remembered as such too.
    const unshared = counted('subscription { somethingPrivate { version } }');
    expect(sharingKey({ schema, document: unshared.document })).toBeNull();
    const once = unshared.counter.reads;
    expect(sharingKey({ schema, document: unshared.document })).toBeNull();
    expect(unshared.counter.reads).toBe(once);
  });
});

/**
 * Fan-out without per-subscriber execution. graphql-ws runs every subscription's selection set
 * once per event per subscriber; with N editors on one document each op was executed N times
 * on each instance, though every subscriber asked for the same fields of the same op. This
 * `subscribe` (given to graphql-ws in place of graphql's) executes an event once per distinct
 * (event, selection set, variables used below the root field) and hands every subscriber the same
 * result; each connection then only serialises and sends it.
 *
 * Sharing is only sound when a field's result does not depend on who is asking, so it is limited
 * to the root fields listed in {@link SHARED_SUBSCRIPTION_FIELDS}; every other subscription runs
 * exactly as graphql's `subscribe` would. Events that carry an error (the live streams' closing
 * error item) are never shared.
 */
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
} from 'graphql';

/**
 * Subscription fields whose results are the same for every viewer who may subscribe: access is
 * checked when subscribing (and rechecked on access changes), and no field below them reads the
 * viewer. `documentOperations`: version, delta, clientId, clientSeq, createdAt and author (public
 * profile) of an op. `documentOperationBatches`: the same fields of each op of a batch; its event
 * is the batch array itself, which the batcher gives to every subscriber of the document on this
 * instance (lib/collab/op-batcher.ts, FB4/FB6), so a flush is executed once per selection set.
 */
export const SHARED_SUBSCRIPTION_FIELDS: ReadonlySet<string> = new Set(['documentOperations', 'documentOperationBatches']);

type Results = Map<string, Promise<ExecutionResult> | ExecutionResult>;

/** Results per event object; entries go when the event does (no bookkeeping, no growth). */
const shared = new WeakMap<object, Results>();

/**
 * What {@link sharingKey} needs of one operation of a parsed document: whether it may share at all
 * (null when not), the variables that shape its result, and the key's fixed part.
 */
export interface SharingPlan {
  readonly variables: readonly string[];
  readonly prefix: string;
}

/**
 * Plans per parsed document and operation name. graphql-ws hands every execution of one query text
 * the same DocumentNode (graphql/ws-fast-path.ts caches validated documents), so the AST walk runs
 * once per document, not once per subscription; entries go with the document.
 */
const plans = new WeakMap<DocumentNode, Map<string | null, SharingPlan | null>>();

/** The sharing plan of `operationName` in `document`, walked once per document and operation name. */
export function sharingPlan(document: DocumentNode, operationName: string | null | undefined): SharingPlan | null {
  let perOperation = plans.get(document);
  if (!perOperation) plans.set(document, (perOperation = new Map()));
  const name = operationName ?? null;
  let plan = perOperation.get(name);
  if (plan === undefined) perOperation.set(name, (plan = planSharing(document, name)));
  return plan;
}

function planSharing(document: DocumentNode, operationName: string | null): SharingPlan | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'subscription') return null;
  const selections = operation.selectionSet.selections;
  const root = selections[0];
  if (selections.length !== 1 || root?.kind !== Kind.FIELD || !SHARED_SUBSCRIPTION_FIELDS.has(root.name.value)) return null;
  if (root.directives?.length) return null;
  // Variables that shape the result: those used below the root field or in fragments. The root
  // field's own arguments (documentId, fromVersion) only choose the stream, not the result.
  const used = new Set<string>();
  const collect = { Variable: (node: { name: { value: string } }) => void used.add(node.name.value) };
  if ((root as FieldNode).selectionSet) visit((root as FieldNode).selectionSet!, collect);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, collect);
  const body = document.loc?.source.body;
  if (body === undefined) return null;
  return { variables: [...used].sort(), prefix: `${operationName ?? ''}\u0000${body}\u0000` };
}

/** The key under which subscribers of this operation may share results, or null when they may not. */
export function sharingKey(args: ExecutionArgs): string | null {
  const plan = sharingPlan(args.document, args.operationName);
  if (plan === null) return null;
  return plan.prefix + JSON.stringify(plan.variables.map((name) => [name, args.variableValues?.[name]]));
}

/**
 * The object events are shared by: a live stream's `{ value }` item's value (an op, or a batch
 * array), else the event itself.
 */
function eventKey(event: unknown): object | null {
  if (event === null || typeof event !== 'object') return null;
  if ('error' in event) return null;
  const value = (event as { value?: unknown }).value;
  return value !== null && typeof value === 'object' ? value : event;
}

function executeShared(args: ExecutionArgs, key: string | null, event: unknown): Promise<ExecutionResult> | ExecutionResult {
  const run = () => execute({ ...args, rootValue: event });
  const object = key === null ? null : eventKey(event);
  if (object === null || key === null) return run();
  let results = shared.get(object);
  if (!results) shared.set(object, (results = new Map()));
  let result = results.get(key);
  if (!result) results.set(key, (result = run()));
  return result;
}

/** graphql's `subscribe`, sharing execution of the fields in {@link SHARED_SUBSCRIPTION_FIELDS}. */
export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const key = sharingKey(args);
  const iterator = source[Symbol.asyncIterator]();
  const map = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult, void>> => {
    if (step.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await executeShared(args, key, step.value) };
    } catch (error) {
      // As graphql's mapAsyncIterator: close the source, then rethrow.
      await iterator.return?.();
      throw error;
    }
  };
  const mapped: AsyncGenerator<ExecutionResult, void, void> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      return map(await iterator.next());
    },
    async return(): Promise<IteratorResult<ExecutionResult, void>> {
      return iterator.return ? map((await iterator.return()) as IteratorResult<unknown>) : { done: true, value: undefined };
    },
    async throw(error?: unknown): Promise<IteratorResult<ExecutionResult, void>> {
      if (iterator.throw) return map(await iterator.throw(error));
      throw error;
    },
  } as AsyncGenerator<ExecutionResult, void, void>;
  return mapped;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

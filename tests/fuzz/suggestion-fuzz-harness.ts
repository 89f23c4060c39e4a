/**
 * Seeded fuzz of suggestions under concurrency [SG15]: a ten-line central server and clients
 * with the usual one-op-in-flight state machine, messages delivered late and in random
 * interleavings. Suggesters convert each local change with `toSuggestion` before applying it
 * (as the editor in Suggesting mode does), and sometimes undo their last change; editors make
 * plain edits and accept or reject; suggesters withdraw their own. The server carries each op to head (S3), converts it there
 * (suggesters) or checks it (`checkEdit`), and sequences accept/reject ops it builds at head.
 *
 * A client whose op is refused, or acked in a form other than the one it applied (SG15's races),
 * resyncs from the server. At the end every message is delivered and every client must hold the
 * server's document, which must be SG2 well-formed; no op but accept and reject may change
 * someone else's suggestion; then accepting everything must leave no marks. A failure names its seed and step.
 */
import { apply, compose, Delta, invert, transform, unwrap } from '../../lib/ot/operation.ts';
import { randomOp, seededRandom } from '../../lib/ot/random-op.ts';
import { acceptOp, checkEdit, checkMarkedDocument, openSuggestions, rejectOp, toSuggestion, type SuggestionRefusal } from '../../lib/ot/suggestion.ts';

type Role = 'suggester' | 'editor';

interface Broadcast {
  readonly version: number;
  readonly op: Delta;
  readonly from: string | null;
}

interface Client {
  readonly name: string;
  readonly role: Role;
  doc: Delta;
  version: number;
  inflight: { op: Delta; base: number } | null;
  pending: Delta | null;
  inbox: Broadcast[];
  /** Requests (submissions, accept/reject) on their way to the server, in order. */
  outbox: ({ kind: 'op'; op: Delta; base: number } | { kind: 'resolve'; id: string; accept: boolean })[];
  refusedInFlight: boolean;
  edits: number;
  /** The last local change and the document it was made on, while nothing came in since: what undo reverts. */
  last: { readonly change: Delta; readonly before: Delta } | null;
}

/** What a run did: the figures the closing note reports. */
export interface SuggestionFuzzStats {
  steps: number;
  localSuggestions: number;
  localEdits: number;
  undos: number;
  localRefusals: Record<string, number>;
  applied: number;
  serverRefusals: Record<string, number>;
  changedAtHead: number;
  resyncs: number;
  accepted: number;
  rejected: number;
  openAtEnd: number;
}

const PEOPLE: readonly { name: string; role: Role }[] = [
  { name: 'alice', role: 'suggester' },
  { name: 'bob', role: 'suggester' },
  { name: 'ed', role: 'editor' },
  { name: 'olga', role: 'editor' },
];

/** JSON with object keys sorted: ops equal up to attribute key order compare equal (OT9). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

function hash(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return h >>> 0;
}

const bump = (counts: Record<string, number>, key: SuggestionRefusal | string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Options for checking the harness itself. */
export interface SuggestionFuzzOptions {
  /** Clients give remote ops the wrong side at ties (a broken client), so the run must fail. */
  readonly brokenTies?: boolean;
}

/** Runs `steps` random steps with `seed`; throws, naming the seed and step, when an invariant breaks. */
export function runSuggestionFuzz(seed: string, steps: number, options: SuggestionFuzzOptions = {}): SuggestionFuzzStats {
  const remoteSide = options.brokenTies === true ? 'right' : 'left';
  const random = seededRandom(hash(seed));
  const server = { doc: new Delta().insert('The quick brown fox\njumps over the lazy dog.\n'), log: [] as { op: Delta; from: string | null }[] };
  const clients: Client[] = PEOPLE.map(({ name, role }) => ({
    name,
    role,
    doc: server.doc,
    version: 0,
    inflight: null,
    pending: null,
    inbox: [],
    outbox: [],
    refusedInFlight: false,
    edits: 0,
    last: null,
  }));
  const stats: SuggestionFuzzStats = {
    steps,
    localSuggestions: 0,
    localEdits: 0,
    undos: 0,
    localRefusals: {},
    applied: 0,
    serverRefusals: {},
    changedAtHead: 0,
    resyncs: 0,
    accepted: 0,
    rejected: 0,
    openAtEnd: 0,
  };
  let step = 0;
  const fail = (what: string): never => {
    throw new Error(`suggestion fuzz failed with seed "${seed}" at step ${step}: ${what}`);
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  /** Everyone's suggestions but `author`'s, as text: what `author`'s own ops may not change (SG7, SG11). */
  const othersSuggestions = (doc: Delta, author: string): string =>
    canonical(openSuggestions(doc).filter((s) => s.author !== author).map(({ id, insertedText, deletedText }) => ({ id, insertedText, deletedText })));

  function publish(op: Delta, from: string | null): void {
    const before = from === null ? '' : othersSuggestions(server.doc, from);
    server.doc = unwrap(apply(server.doc, op));
    if (from !== null && othersSuggestions(server.doc, from) !== before) fail(`${from}'s op changed someone else's suggestion: ${canonical(op.ops)}`);
    server.log.push({ op, from });
    const check = checkMarkedDocument(server.doc);
    if (!check.ok) fail(`server document not well-formed: ${check.message}`);
    for (const c of clients) c.inbox.push({ version: server.log.length, op, from });
    stats.applied += 1;
  }

  function resync(c: Client): void {
    c.doc = server.doc;
    c.version = server.log.length;
    c.inflight = null;
    c.pending = null;
    c.inbox = [];
    c.outbox = c.outbox.filter((m) => m.kind === 'resolve');
    c.refusedInFlight = false;
    c.last = null;
    stats.resyncs += 1;
  }

  /** The server takes the client's oldest request. */
  function serve(c: Client): void {
    const request = c.outbox.shift();
    if (request === undefined) return;
    if (request.kind === 'resolve') {
      const built = request.accept ? acceptOp(server.doc, request.id) : rejectOp(server.doc, request.id);
      if (built.ok) {
        publish(built.value, null);
        if (request.accept) stats.accepted += 1;
        else stats.rejected += 1;
      }
      return;
    }
    let op = request.op;
    for (const earlier of server.log.slice(request.base)) op = transform(op, earlier.op, 'right');
    const result = c.role === 'suggester' ? toSuggestion(server.doc, op, { author: c.name, id: `${c.name}:${1_000_000 + stats.applied}` }) : checkEdit(server.doc, op, c.name);
    if (!result.ok) {
      bump(stats.serverRefusals, `${c.role}:${result.reason}`);
      c.refusedInFlight = true;
      return;
    }
    if (canonical(result.value.ops) !== canonical(op.ops)) stats.changedAtHead += 1;
    publish(result.value, c.name);
  }

  function send(c: Client): void {
    if (c.inflight !== null || c.pending === null) return;
    c.inflight = { op: c.pending, base: c.version };
    c.pending = null;
    c.outbox.push({ kind: 'op', op: c.inflight.op, base: c.inflight.base });
  }

  /** The client takes its oldest broadcast. */
  function receive(c: Client): void {
    if (c.refusedInFlight && c.outbox.every((m) => m.kind === 'resolve')) {
      resync(c);
      return;
    }
    const message = c.inbox.shift();
    if (message === undefined) return;
    if (message.version !== c.version + 1) fail(`${c.name} got version ${message.version} after ${c.version}`);
    c.version = message.version;
    if (message.from === c.name) {
      if (c.inflight === null) return fail(`${c.name} acked with nothing in flight`);
      const expected = c.inflight.op;
      c.inflight = null;
      if (canonical(expected.ops) !== canonical(message.op.ops)) {
        // SG15: converted differently at head; the answer is authoritative.
        resync(c);
        return;
      }
      send(c);
      return;
    }
    let remote = message.op;
    if (c.inflight !== null) {
      const inflight = c.inflight;
      const mine = inflight.op;
      inflight.op = transform(mine, remote, 'right');
      remote = transform(remote, mine, remoteSide);
    }
    if (c.pending !== null) {
      const mine = c.pending;
      c.pending = transform(mine, remote, 'right');
      remote = transform(remote, mine, remoteSide);
    }
    const next = apply(c.doc, remote);
    if (!next.ok) return fail(`${c.name} could not apply a remote op: ${next.message}`);
    c.doc = next.value;
    c.last = null;
  }

  function localChange(c: Client): void {
    // Undo, as Quill's history sends it: the inverse of the last change, converted like any change
    // (deleting one's own proposed text, withdrawing one's deletion marks, putting text back).
    const undo = c.last !== null && random() < 0.2;
    const plain = undo && c.last !== null ? invert(c.last.change, c.last.before) : randomOp(c.doc, random, { softMaxLength: 120, maxEdits: 2 });
    if (undo) stats.undos += 1;
    if (plain.ops.length === 0) return;
    c.edits += 1;
    const made = c.role === 'suggester' ? toSuggestion(c.doc, plain, { author: c.name, id: `${c.name}:${c.edits}` }) : checkEdit(c.doc, plain, c.name);
    if (!made.ok) {
      bump(stats.localRefusals, `${c.role}:${made.reason}`);
      return;
    }
    const change = made.value;
    if (change.ops.length === 0) return;
    if (c.role === 'suggester') stats.localSuggestions += 1;
    else stats.localEdits += 1;
    c.last = undo ? null : { change, before: c.doc };
    c.doc = unwrap(apply(c.doc, change));
    c.pending = c.pending === null ? change : compose(c.pending, change);
    send(c);
  }

  function resolve(c: Client): void {
    const open = openSuggestions(c.doc).filter((s) => c.role === 'editor' || s.author === c.name);
    if (open.length === 0) return;
    const s = pick(open);
    c.outbox.push({ kind: 'resolve', id: s.id, accept: c.role === 'editor' && random() < 0.5 });
  }

  for (step = 1; step <= steps; step++) {
    const c = pick(clients);
    const roll = random();
    if (roll < 0.35) localChange(c);
    else if (roll < 0.42) resolve(c);
    else if (roll < 0.7) serve(c);
    else receive(c);
  }

  // Drain: serve everything, deliver everything, until nothing moves.
  for (let round = 0; ; round++) {
    if (round > 10_000) fail('did not settle');
    let moved = false;
    for (const c of clients) {
      while (c.outbox.length > 0) {
        serve(c);
        moved = true;
      }
      while (c.inbox.length > 0 || c.refusedInFlight) {
        receive(c);
        moved = true;
      }
    }
    if (!moved) break;
  }
  for (const c of clients) {
    if (c.inflight !== null || c.pending !== null) fail(`${c.name} still has unsent changes`);
    if (canonical(c.doc.ops) !== canonical(server.doc.ops)) {
      fail(`${c.name} diverged:\n  client ${JSON.stringify(c.doc.ops)}\n  server ${JSON.stringify(server.doc.ops)}`);
    }
  }
  stats.openAtEnd = openSuggestions(server.doc).length;
  let resolved = server.doc;
  for (const s of openSuggestions(server.doc)) resolved = unwrap(apply(resolved, unwrapSuggestion(acceptOp(resolved, s.id))));
  if (openSuggestions(resolved).length !== 0) fail('marks left after accepting every suggestion');
  return stats;
}

function unwrapSuggestion(result: ReturnType<typeof acceptOp>): Delta {
  if (!result.ok) throw new Error(`accept failed: ${result.message}`);
  return result.value;
}

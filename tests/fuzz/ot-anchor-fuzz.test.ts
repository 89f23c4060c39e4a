/**
 * Seeded fuzz of anchors with concurrent edits [AN5, AN6, AN7]: three clients type, send and
 * receive at random against a ten-line central server (ops transformed over the ones since their
 * base, as lib/collab's sequencer does), and open comment threads on ranges of their own,
 * possibly stale, version. The server stores each anchor and re-bases it at random moments; each
 * client keeps an AnchorTracker fed by the server's ops in order.
 * Checked at every step: a client with nothing pending shows exactly the model's anchors at its
 * version, and what it shows over its pending edits lies inside its document. At the end of every
 * round (all queues flushed): the server's anchors equal the character-marking model's, whatever
 * the re-basing, and every client shows them.
 * ANCHOR_FUZZ_ITERATIONS rounds per seed (default 300), ANCHOR_FUZZ_SEED (default 1,2,3).
 */
import { describe, expect, it } from 'vitest';
import { carryAnchor, type Anchor, type TextRange, type VersionedOp } from '../../lib/ot/anchor.ts';
import { AnchorTracker } from '../../lib/ot/anchor-tracker.ts';
import { apply, compose, Delta, transform } from '../../lib/ot/operation.ts';
import { randomOp, seededRandom } from '../../lib/ot/random-op.ts';
import { isPairMiddle, modelCarryOver, pickRange } from '../support/anchor-model.ts';

const iterations = Number(process.env.ANCHOR_FUZZ_ITERATIONS ?? 300);
const seeds = (process.env.ANCHOR_FUZZ_SEED ?? '1,2,3').split(',').map((s) => Number(s.trim()));

const applied = (doc: Delta, op: Delta): Delta => {
  const r = apply(doc, op);
  if (!r.ok) throw new Error(`fuzz: op does not apply: ${r.message}`);
  return r.value;
};

interface Thread {
  readonly id: number;
  /** Where the client opened it: its version and range there. */
  readonly version: number;
  readonly range: TextRange;
  /** What the server stores, re-based from time to time. */
  stored: Anchor;
}

interface Client {
  readonly id: number;
  version: number;
  doc: Delta;
  inFlight: Delta | null;
  buffer: Delta | null;
  /** Server ops not yet received, in order. */
  readonly inbox: (VersionedOp & { from: number })[];
  readonly tracker: AnchorTracker<number>;
}

/** One round: a fresh document, three clients, `steps` random actions, then a flush. */
function round(seed: number, roundNo: number, steps: number): void {
  const random = seededRandom(seed * 1_000_003 + roundNo);
  const start = new Delta().insert('one two three\nfour five\n');
  const docs: Delta[] = [start];
  const log: VersionedOp[] = [];
  const threads: Thread[] = [];
  const submissions: { from: number; base: number; op: Delta }[] = [];
  const clients: Client[] = [0, 1, 2].map((id) => ({ id, version: 0, doc: start, inFlight: null, buffer: null, inbox: [], tracker: new AnchorTracker<number>(0, 6) }));
  const pendingOf = (c: Client) => (c.inFlight && c.buffer ? compose(c.inFlight, c.buffer) : (c.inFlight ?? c.buffer));
  const localDoc = (c: Client) => {
    const p = pendingOf(c);
    return p ? applied(c.doc, p) : c.doc;
  };
  const headAnchor = (t: Thread) => carryAnchor(t.stored, log);
  const trace = () => `seed ${seed}, round ${roundNo}: ${JSON.stringify({ log: log.map((o) => o.delta.ops), threads: threads.map(({ version, range }) => ({ version, range })) })}`;

  const serverCommit = () => {
    const s = submissions.shift();
    if (!s) return;
    let op = s.op;
    for (const other of log.slice(s.base)) op = transform(op, other.delta, 'right');
    const version = log.length + 1;
    docs.push(applied(docs[version - 1]!, op));
    log.push({ version, delta: op });
    for (const c of clients) c.inbox.push({ version, delta: op, from: s.from });
  };

  // Clients learn of a thread from a read: at head, or (half the time) the stored anchor as it
  // is, possibly older than a client; one older than its kept ops is read again at head.
  const publish = (t: Thread) => {
    for (const c of clients) {
      if (random() < 0.5 && c.tracker.set(t.id, t.stored)) continue;
      if (!c.tracker.set(t.id, headAnchor(t))) throw new Error('a head anchor is never behind a client');
    }
  };

  const receive = (c: Client) => {
    const op = c.inbox.shift();
    if (!op) return;
    if (op.from === c.id && c.inFlight) {
      c.inFlight = null;
    } else if (c.inFlight) {
      const remote = transform(op.delta, c.inFlight, 'left');
      c.inFlight = transform(c.inFlight, op.delta, 'right');
      if (c.buffer) c.buffer = transform(c.buffer, remote, 'right');
    } else if (c.buffer) {
      c.buffer = transform(c.buffer, op.delta, 'right');
    }
    c.doc = applied(c.doc, op.delta);
    c.version = op.version;
    c.tracker.applied(op);
  };

  const checkClient = (c: Client) => {
    const pending = pendingOf(c);
    const shown = c.tracker.local(pending);
    const local = localDoc(c);
    for (const range of shown.values()) {
      if (range === null) continue;
      expect(range.index + range.length, `[AN7] within the local document; ${trace()}`).toBeLessThanOrEqual(local.length());
      expect(isPairMiddle(local, range.index) || isPairMiddle(local, range.index + range.length), `[AN7] no split pair; ${trace()}`).toBe(false);
    }
    if (pending !== null) return;
    for (const t of threads) {
      if (!shown.has(t.id)) continue;
      expect(shown.get(t.id), `[AN6] client ${c.id} at version ${c.version}, thread ${t.id}; ${trace()}`).toEqual(
        modelCarryOver(docs, log, t.range, t.version, c.version),
      );
    }
  };

  for (let step = 0; step < steps; step += 1) {
    const c = clients[Math.floor(random() * clients.length)]!;
    const roll = random();
    if (roll < 0.3) {
      const op = randomOp(localDoc(c), random, { softMaxLength: 40 });
      if (op.ops.length > 0) c.buffer = c.buffer ? compose(c.buffer, op) : op;
    } else if (roll < 0.45) {
      if (!c.inFlight && c.buffer) {
        submissions.push({ from: c.id, base: c.version, op: c.buffer });
        c.inFlight = c.buffer;
        c.buffer = null;
      }
    } else if (roll < 0.6) {
      serverCommit();
    } else if (roll < 0.85) {
      receive(c);
    } else if (roll < 0.93) {
      // A client opens a thread only with nothing pending: its range is then at its version.
      const range = pendingOf(c) === null ? pickRange(c.doc, random(), random() * random()) : null;
      if (range) {
        const t: Thread = { id: threads.length, version: c.version, range, stored: { range, version: c.version } };
        t.stored = headAnchor(t); // the server stores it carried to head
        threads.push(t);
        publish(t);
      }
    } else {
      // The server re-bases a stored anchor to some version up to head, or a client reads it again.
      const t = threads[Math.floor(random() * threads.length)];
      if (t && random() < 0.7) t.stored = carryAnchor(t.stored, log.slice(0, t.stored.version + Math.floor(random() * (log.length - t.stored.version + 1))));
      else if (t) publish(t);
    }
    checkClient(c);
  }

  // Flush: send, commit and deliver until nothing is left anywhere.
  while (submissions.length > 0 || clients.some((c) => c.inFlight || c.buffer || c.inbox.length > 0)) {
    for (const c of clients) {
      if (!c.inFlight && c.buffer) {
        submissions.push({ from: c.id, base: c.version, op: c.buffer });
        c.inFlight = c.buffer;
        c.buffer = null;
      }
    }
    serverCommit();
    for (const c of clients) while (c.inbox.length > 0) receive(c);
  }
  const head = log.length;
  for (const t of threads) {
    const expected = modelCarryOver(docs, log, t.range, t.version, head);
    expect(headAnchor(t), `[AN5] server anchor of thread ${t.id}; ${trace()}`).toEqual({ range: expected, version: head });
    for (const c of clients) {
      expect(c.doc.ops, `client ${c.id} converged; ${trace()}`).toEqual(docs[head]!.ops);
      expect(c.tracker.confirmed().get(t.id), `[AN6] client ${c.id} shows the server's anchor of thread ${t.id}; ${trace()}`).toEqual(expected);
    }
  }
}

describe('anchors under concurrent edits (seeded fuzz)', () => {
  for (const seed of seeds) {
    it(`[AN5][AN6][AN7] ${iterations} rounds of three clients editing and commenting, seed ${seed}`, { timeout: 600_000 }, () => {
      for (let r = 0; r < iterations; r += 1) round(seed, r, 80);
    });
  }
});

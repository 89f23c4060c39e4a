/**
 * A seeded simulation of N collab clients and one in-memory server: two or three instances of
 * the production sequencer (`createSequencer`: queues, the pure planner, known heads, `commit`)
 * sharing the memory op store and broadcaster. Every message sits in a per-link queue until the
 * scenario's PRNG flushes it, so a seed fixes the whole interleaving: reorderings, duplicated
 * deliveries, lost acks, disconnects and reconnects, racing submissions; and on the server side,
 * known heads gone stale (each instance hears other instances' commits through a follow link
 * that loses and reorders messages), tight queue bounds and deadlines (RATE_LIMITED), and an
 * instance crashing between a commit and its answers (the answers and the publishes are lost;
 * a fresh instance with an empty head cache takes its place).
 *
 * Pipelining (S13, P11; half the scenarios, drawn from a second PRNG so the other half replay
 * exactly as before): submissions are not awaited one by one, and commits are held back and
 * released late, out of order, or failed (nothing stored, the submissions' answers lost), so a
 * document's next batch is planned on a predecessor's uncommitted `next` and sent while that
 * predecessor commits, loses to another instance, fails or crashes.
 *
 * Fair admission (O5, O6; half the scenarios, from a third PRNG): a tight `maxWaitMs` and
 * `minQueuePerAuthor`, slow commits (held back) and clients sharing authors (one person's
 * tabs), so queues form, submissions are
 * refused for their author's backlog and batches are taken in turn by author; a refusal for
 * the backlog to an author with fewer than `minQueuePerAuthor` submissions outstanding at that
 * instance is a failure. In half of those (a fourth PRNG) `minQueuePerDocument` is tiny, so
 * submissions are also refused because the document is crowded; such a refusal while fewer than
 * `minQueuePerDocument` of the document's submissions are outstanding at that instance is a failure.
 */
import { CollabClient } from '../../lib/collab/collab-client.ts';
import { loadDocument, documentAt, replay } from '../../lib/collab/document-loader.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import { openOpFeed, type OpFeed } from '../../lib/collab/op-feed.ts';
import { createSequencer, MAX_TIMER_MS, type Sequencer } from '../../lib/collab/sequencer.ts';
import type { Broadcaster, OpListener } from '../../lib/collab/broadcaster.ts';
import type { AppliedOp, Submission, SubmitResult } from '../../lib/collab/types.ts';
import type { OpStore } from '../../lib/collab/op-store.ts';
import { INITIAL_FINGERPRINT } from '../../lib/collab/known-head.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { canonical, createRng, randomDocument, randomOp, type Rng } from './collab-sim-random.ts';

type Down = { readonly type: 'op'; readonly op: AppliedOp } | { readonly type: 'ack'; readonly clientSeq: number; readonly result: SubmitResult };

/** One server instance; `sequencer` is replaced when it crashes (a restart with an empty cache). */
interface SimServer {
  readonly index: number;
  sequencer: Sequencer;
  /** Bumped by a crash: publishes and answers of an older generation are lost. */
  generation: number;
}

interface SimClient {
  readonly name: string;
  readonly client: CollabClient;
  readonly server: SimServer;
  connected: boolean;
  /** Bumped on every disconnect: answers to submissions from an older connection are lost. */
  epoch: number;
  up: Submission[];
  down: Down[];
  feed: OpFeed | null;
  readonly problems: string[];
}

export interface ScenarioResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly problem?: string;
  readonly history: readonly string[];
  readonly stats: {
    readonly clients: number;
    readonly steps: number;
    readonly versions: number;
    readonly crashes: number;
    readonly acks: number;
    readonly pipelined: PipelineStats;
    /** Submissions refused for their author's backlog [O5]. */
    readonly refusedForBacklog: number;
  };
}

/**
 * Commits planned on a head not stored when they were sent (`speculative`: a predecessor's
 * uncommitted `next`), how they ended (`asPlanned`: the store wrote that very plan; `replanned`:
 * it found another head), and held commits failed on purpose (`failed`).
 */
export interface PipelineStats {
  speculative: number;
  asPlanned: number;
  replanned: number;
  failed: number;
}

const DOC = 'doc-1';
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const short = (value: unknown): string => canonical(value);

/** Runs one scenario; never throws for a failed check, it answers `ok: false` with the history. */
export async function runScenario(seed: number): Promise<ScenarioResult> {
  const rng = createRng(seed);
  const history: string[] = [];
  const clientCount = 2 + rng.int(9);
  const steps = 20 + rng.int(60);
  const serverCount = 2 + rng.int(2);
  const snapshotEvery = rng.pick([0, 3, 7, 100]);
  const maxQueued = rng.pick([1, 3, 2000]);
  const deadlineMs = rng.pick([300, 2000, 1_000_000]);
  const crashChance = rng.pick([0, 0.03, 0.1]);
  const followLoss = rng.pick([0, 0.2, 0.6]);
  // Pipelining knobs from a PRNG of their own: scenarios without them draw exactly as before.
  const pipeRng = createRng(seed ^ 0x5bd1e995);
  const pipelining = pipeRng.chance(0.5);
  const holdChance = pipelining ? pipeRng.pick([0.3, 0.6]) : 0;
  const failChance = pipelining ? pipeRng.pick([0, 0.15]) : 0;
  const pipelined: PipelineStats = { speculative: 0, asPlanned: 0, replanned: 0, failed: 0 };
  // Answers held after the commit stored (the database answers pipelined commits in any order):
  // from a PRNG of their own, so the other scenarios draw as before [S7].
  const answerRng = createRng(seed ^ 0x1b873593);
  const lateAnswerChance = pipelining ? answerRng.pick([0, 0.3]) : 0;
  // Fair admission knobs from a PRNG of their own [O5, O6]: scenarios without them draw exactly as before.
  const fairRng = createRng(seed ^ 0x2545f491);
  // Early refusals' draws [O5], from a PRNG of their own.
  const earlyRng = createRng(seed ^ 0x68e31da4);
  const fair = fairRng.chance(0.5);
  const maxWaitMs = fair ? fairRng.pick([1, 100, 300]) : undefined;
  const minQueuePerAuthor = fair ? fairRng.pick([0, 1, 2]) : 32;
  const authors = fair ? 1 + fairRng.int(3) : Infinity;
  const authorOf = (name: string): string => `user-c${Number(name.slice(1)) % authors}`;
  // A crowded document [O5]: from a PRNG of its own, so the other scenarios draw as before.
  const crowdRng = createRng(seed ^ 0x3c6ef372);
  const minQueuePerDocument = fair && crowdRng.chance(0.5) ? crowdRng.pick([1, 2, 3]) : 64;
  // Slow commits (held back, released later) so that queues form behind them.
  const fairHoldChance = fair ? fairRng.pick([0.2, 0.5]) : 0;
  let refusedForBacklog = 0;
  let floods = 0;
  /** Broken checks found while running (not tied to one client). */
  const problems: string[] = [];
  let ticks = 0;
  /** Submissions sent and not answered yet, per instance generation and author. */
  const outstanding = new Map<string, number>();
  /** Commits held back, released later (in any order) or failed. */
  const heldCommits: Array<{ release: () => void; fail: () => void }> = [];
  /** Every fingerprint the store has had: a commit planned on another head was planned on an uncommitted one. */
  const storedFingerprints = new Set<string>([INITIAL_FINGERPRINT]);
  /** Submissions not awaited (pipelining scenarios), awaited in the quiesce. */
  const unanswered = new Set<Promise<void>>();
  const store = createMemoryOpStore({ keepHeadContent: rng.chance(0.5) });
  const broadcaster = createMemoryBroadcaster({ onListenerError: (e) => history.push(`listener error ${String(e)}`) });
  let now = Date.UTC(2024, 0, 1);
  const clock = (): Date => new Date((now += 1000));
  let step = 0;
  let quiescing = false;
  let crashes = 0;
  const acked: Array<{ name: string; clientSeq: number; version: number }> = [];
  /** Follow messages held back by the lossy link, delivered later (out of order) or never. */
  const heldFollows: Array<() => void> = [];

  const servers: SimServer[] = [];
  const startInstance = (server: SimServer): Sequencer => {
    const generation = server.generation;
    const alive = () => server.generation === generation;
    // Publishes of a crashed generation never leave it.
    // Each instance publishes a document's ops in version order [S7].
    let lastPublished = 0;
    const publishing: Broadcaster = {
      publish: async (documentId, op) => {
        if (op.version <= lastPublished) problems.push(`server ${server.index} published v${op.version} after v${lastPublished}`);
        lastPublished = Math.max(lastPublished, op.version);
        return alive() ? broadcaster.publish(documentId, op) : undefined;
      },
      subscribe: (documentId, listener) => broadcaster.subscribe(documentId, listener),
    };
    // Other instances' commits reach the known heads late, out of order, or not at all.
    const follow: Pick<Broadcaster, 'subscribe'> = {
      subscribe: (documentId, listener: OpListener) =>
        broadcaster.subscribe(documentId, (op) => {
          if (quiescing || rng.chance(1 - followLoss)) return listener(op);
          if (rng.chance(0.5)) heldFollows.push(() => void listener(op));
        }),
    };
    const crashing = {
      ...store,
      async commit(...args: Parameters<typeof store.commit>) {
        const [request] = args;
        const speculative = !storedFingerprints.has(request.planned.head.fingerprint);
        if (speculative) pipelined.speculative++;
        if (!quiescing && (pipeRng.chance(holdChance) || (fair && fairRng.chance(fairHoldChance)))) {
          await new Promise<void>((resolve, reject) =>
            heldCommits.push({
              release: resolve,
              fail: () => {
                pipelined.failed++;
                history.push(`server ${server.index} commit of ${request.planned.ops.length} ops at v${request.planned.head.version + 1} FAILED (nothing stored)`);
                reject(new Error('sim: the commit failed (connection lost); nothing was stored'));
              },
            }),
          );
        }
        const result = await store.commit(...args);
        if (result.kind === 'committed' && result.plan.ops.length > 0) storedFingerprints.add(result.plan.next.fingerprint);
        if (speculative && result.kind === 'committed') {
          if (result.plan === request.planned) pipelined.asPlanned++;
          else pipelined.replanned++;
        }
        if (!quiescing && answerRng.chance(lateAnswerChance)) {
          // Stored; its answer comes back later, after answers of commits stored after it.
          await new Promise<void>((resolve) => heldCommits.push({ release: resolve, fail: resolve }));
        }
        if (!quiescing && alive() && rng.chance(crashChance)) crash(server);
        return result;
      },
    };
    return createSequencer({
      store: crashing,
      broadcaster: publishing,
      follow,
      clock,
      random: () => earlyRng.next(),
      // No wall-clock timer decides a run: held answers are released by the steps, however long they take.
      publishWaitMs: MAX_TIMER_MS,
      // With fair admission, time also moves a millisecond per reading, so batches take time and a queue makes its document busy [O5].
      monotonic: fair ? () => step * 100 + ticks++ : () => step * 100,
      snapshotEvery,
      limits: { maxQueued, deadlineMs, maxConcurrentBatches: rng.pick([1, 4]), ...(maxWaitMs === undefined ? {} : { maxWaitMs }), minQueuePerAuthor, minQueuePerDocument },
      // Pipelining scenarios pipeline whenever they can (the calm rule is only a performance choice).
      ...(pipelining ? { pipelineAfterCalm: 0 } : {}),
    });
  };
  const crash = (server: SimServer) => {
    crashes++;
    history.push(`server ${server.index} CRASH after a commit (answers and publishes of generation ${server.generation} lost)`);
    server.generation++;
    server.sequencer = startInstance(server);
    for (const sim of clients) if (sim.server === server && sim.connected) void disconnect(sim, history);
  };
  for (let index = 0; index < serverCount; index++) {
    const server: SimServer = { index, generation: 0, sequencer: undefined as unknown as Sequencer };
    server.sequencer = startInstance(server);
    servers.push(server);
  }
  const initial = randomDocument(rng);
  history.push(
    `seed ${seed}: ${clientCount} clients, ${serverCount} servers, ${steps} steps, snapshotEvery ${snapshotEvery}, maxQueued ${maxQueued}, deadlineMs ${deadlineMs}, crash ${crashChance}, follow loss ${followLoss}, ` +
      `pipelining ${pipelining ? `on (hold ${holdChance}, fail ${failChance})` : 'off'}, ` +
      `fair admission ${fair ? `on (maxWaitMs ${maxWaitMs}, minQueuePerAuthor ${minQueuePerAuthor}, minQueuePerDocument ${minQueuePerDocument}, ${authors} authors, hold ${fairHoldChance})` : 'default'}, initial ${short(initial.ops)}`,
  );
  const created = await servers[0]!.sequencer.createDocument(DOC, initial);
  if (created.kind !== 'created') throw new Error('createDocument failed');

  const clients: SimClient[] = [];
  for (let i = 0; i < clientCount; i++) {
    const name = `c${i}`;
    const sim: SimClient = {
      name,
      server: rng.pick(servers),
      connected: true,
      epoch: 0,
      up: [],
      down: [],
      feed: null,
      problems: [],
      client: undefined as unknown as CollabClient,
    };
    (sim as { client: CollabClient }).client = new CollabClient({
      documentId: DOC,
      clientId: name,
      version: 0,
      content: initial,
      transport: {
        send: (submission) => {
          if (sim.connected) sim.up.push(submission);
        },
      },
      onEvent: (event) => {
        if (event.type === 'desynchronized') sim.problems.push(`${name} desynchronized: ${event.code} ${event.message}`);
        if (event.type === 'retryableRejection') {
          history.push(`${name} retryable ${event.code}, resending`);
          sim.client.resend();
        }
      },
    });
    sim.feed = await subscribe(sim, store, broadcaster);
    clients.push(sim);
  }

  /** One submission to `server` as `author`, checking a refusal for its author's backlog [O5]. */
  const submitAs = async (server: SimServer, author: string, submission: Submission): Promise<SubmitResult> => {
    const instance = `${server.index}:${server.generation}`;
    const at = `${instance}:${author}`;
    const ahead = outstanding.get(at) ?? 0;
    const documentAhead = outstanding.get(instance) ?? 0;
    outstanding.set(at, ahead + 1);
    outstanding.set(instance, documentAhead + 1);
    let result: SubmitResult;
    try {
      result = await server.sequencer.submit({ ...submission, authorId: author });
    } finally {
      outstanding.set(at, outstanding.get(at)! - 1);
      outstanding.set(instance, outstanding.get(instance)! - 1);
    }
    const crowded = result.kind === 'rejected' && result.code === 'RATE_LIMITED' ? /^The server is busy \((\d+) ops from \d+ (?:person|people) are waiting for this document\)/.exec(result.message) : null;
    if (crowded) {
      refusedForBacklog++;
      // Refused for the document's queue: it must have held minQueuePerDocument (as it says), and
      // as many must have been sent to this instance and not answered [O5].
      const queuedThen = Number(crowded[1]);
      if (queuedThen < minQueuePerDocument || documentAhead < minQueuePerDocument) {
        problems.push(`${submission.clientId} refused as the document is crowded with ${queuedThen} queued and ${documentAhead} outstanding (minQueuePerDocument ${minQueuePerDocument})`);
      }
    }
    if (result.kind === 'rejected' && result.code === 'RATE_LIMITED' && /of your ops for this document are waiting/.test(result.message)) {
      refusedForBacklog++;
      // Fewer than minQueuePerAuthor sent and unanswered: fewer queued, so it must be admitted [O5].
      if (ahead < minQueuePerAuthor) problems.push(`${submission.clientId} refused for its author's backlog with ${ahead} of ${author}'s submissions outstanding (minQueuePerAuthor ${minQueuePerAuthor})`);
    }
    return result;
  };

  const submit = async (sim: SimClient, submission: Submission): Promise<void> => {
    const epoch = sim.epoch;
    let result: SubmitResult;
    try {
      result = await submitAs(sim.server, authorOf(sim.name), submission);
    } catch (error) {
      // An infrastructure failure (a failed commit): the transport answers an error, which the client treats as a lost answer [C9].
      history.push(`${sim.name} submit #${submission.clientSeq} base v${submission.baseVersion} -> threw (${String(error)}); answer lost`);
      return;
    }
    const answer = result.kind === 'rejected' ? `rejected ${result.code}` : `${result.kind} v${result.version}`;
    history.push(`${sim.name} submit #${submission.clientSeq} base v${submission.baseVersion} ${short(submission.delta.ops)} -> ${answer}`);
    if (sim.epoch !== epoch || !sim.connected) {
      history.push(`${sim.name} answer #${submission.clientSeq} lost (connection gone)`);
      return;
    }
    sim.down.push({ type: 'ack', clientSeq: submission.clientSeq, result });
  };

  const deliver = (sim: SimClient, message: Down, mayLose: boolean): void => {
    if (message.type === 'op') {
      history.push(`${sim.name} receive v${message.op.version} (${message.op.clientId}#${message.op.clientSeq})`);
      sim.client.receiveRemote(message.op);
    } else if (mayLose && rng.chance(0.15)) {
      history.push(`${sim.name} ack #${message.clientSeq} LOST`);
    } else {
      history.push(`${sim.name} ack #${message.clientSeq}`);
      if (message.result.kind !== 'rejected') acked.push({ name: sim.name, clientSeq: message.clientSeq, version: message.result.version });
      sim.client.receiveAck(message.clientSeq, message.result);
    }
  };

  /**
   * A burst of small inserts by one author straight to one instance (a paste, a script; fair
   * admission scenarios): not awaited; an applied one must be stored at its version like any ack.
   */
  const burst = async (): Promise<void> => {
    const server = fairRng.pick(servers);
    const author = fairRng.chance(0.5) ? 'user-flood' : authorOf(fairRng.pick(clients).name);
    const base = (await store.head(DOC))!.version;
    const count = 2 + fairRng.int(8);
    history.push(`burst of ${count} by ${author} to server ${server.index} on v${base}`);
    for (let i = 0; i < count; i++) {
      const clientId = `flood${floods++}`;
      const answered = submitAs(server, author, { documentId: DOC, baseVersion: base, clientId, clientSeq: 1, delta: new Delta().insert('F') }).then(
        (result) => {
          history.push(`${clientId} (burst) -> ${result.kind === 'rejected' ? `rejected ${result.code}` : `${result.kind} v${result.version}`}`);
          if (result.kind !== 'rejected') acked.push({ name: clientId, clientSeq: 1, version: result.version });
        },
        (error) => void history.push(`${clientId} (burst) -> threw (${String(error)})`),
      );
      unanswered.add(answered);
      void answered.finally(() => unanswered.delete(answered));
    }
  };

  /** Sends a submission; in pipelining and fair admission scenarios without waiting for its answer. */
  const send = async (sim: SimClient, submission: Submission): Promise<void> => {
    // Held commits (pipelining, or fair admission's slow commits) would stall a step that awaited them.
    if (!pipelining && !fair) return submit(sim, submission);
    const answered = submit(sim, submission);
    unanswered.add(answered);
    void answered.finally(() => unanswered.delete(answered));
  };

  /** Takes one of the first few messages: links may reorder; sometimes leaves a copy (duplicate delivery). */
  const take = <T>(queue: T[]): T => {
    const index = rng.int(Math.min(queue.length, 3));
    const [message] = queue.splice(index, 1) as [T];
    if (rng.chance(0.05)) queue.splice(rng.int(queue.length + 1), 0, message);
    return message;
  };

  for (step = 0; step < steps; step++) {
    const sim = rng.pick(clients);
    const roll = rng.next();
    if (fair && fairRng.chance(0.15)) await burst();
    // A held follow message arrives late (after newer ones, or after the head moved on).
    if (heldFollows.length > 0 && rng.chance(0.3)) heldFollows.splice(rng.int(heldFollows.length), 1)[0]!();
    // A held commit goes on late (after commits sent after it), or fails [S13, P11].
    if (heldCommits.length > 0 && pipeRng.chance(0.4)) {
      const held = heldCommits.splice(pipeRng.int(heldCommits.length), 1)[0]!;
      if (pipeRng.chance(failChance)) held.fail();
      else held.release();
    }
    if (roll < 0.35) {
      if (rng.chance(0.2)) {
        const length = sim.client.document.length();
        const index = rng.int(length);
        sim.client.setSelection({ index, length: rng.int(length - index) });
      }
      const op = randomOp(rng, sim.client.document);
      const result = sim.client.applyLocal(op);
      history.push(`${sim.name} type ${short(op.ops)} -> ${result.kind} (${sim.client.status.state})`);
      if (result.kind !== 'applied') sim.problems.push(`${sim.name} refused its own valid op: ${result.message}`);
    } else if (roll < 0.55) {
      if (sim.up.length > 0) await send(sim, take(sim.up));
    } else if (roll < 0.63) {
      // Racing submissions from several clients: appends conflict and retry.
      const racing = clients.filter((c) => c.up.length > 0).slice(0, 3);
      const work = racing.map((c) => send(c, take(c.up)));
      // Sometimes a racer's connection drops while its submission is being sequenced.
      const victim = racing[0];
      if (victim && rng.chance(0.2)) work.push(disconnect(victim, history));
      await Promise.all(work);
    } else if (roll < 0.92) {
      if (sim.down.length > 0) deliver(sim, take(sim.down), true);
    } else if (roll < 0.94) {
      // The host's answer timeout: a submission or its answer may be lost, so resend [C9].
      history.push(`${sim.name} timeout, resend`);
      sim.client.resend();
    } else if (roll < 0.97) {
      if (sim.connected) await disconnect(sim, history);
    } else if (!sim.connected) {
      await reconnect(sim, store, broadcaster, history);
    }
    await settle();
  }

  // Quiesce: no more crashes or lost follows; everyone online; every queue flushed in order with
  // nothing lost or doubled. A crashed instance's commits were never published: feeds refill
  // from the store (F5), as hosts do periodically and on reconnect.
  quiescing = true;
  while (heldCommits.length > 0 || unanswered.size > 0) {
    for (const held of heldCommits.splice(0)) held.release();
    await Promise.all([...unanswered]);
    await settle();
  }
  for (const sim of clients) if (!sim.connected) await reconnect(sim, store, broadcaster, history);
  await settle();
  for (const sim of clients) await sim.feed?.refill();
  await settle();
  const busy = (c: SimClient): boolean => c.up.length > 0 || c.down.length > 0;
  for (let round = 0; clients.some((c) => busy(c) || c.client.status.state !== 'synchronized'); round++) {
    if (round > 1000) return fail('did not quiesce in 1,000 rounds');
    step++; // queue deadlines keep time in the quiesce too
    if (!clients.some(busy)) {
      // Every queue is empty but someone still waits: its answer was lost; the timeout resends [C9].
      for (const sim of clients) if (sim.client.status.state !== 'synchronized') {
        history.push(`${sim.name} timeout, resend`);
        sim.client.resend();
      }
    }
    for (const sim of clients) {
      while (sim.up.length > 0) await submit(sim, sim.up.shift()!);
      await settle();
      while (sim.down.length > 0) deliver(sim, sim.down.shift()!, false);
    }
    await settle();
  }
  for (const sim of clients) await sim.feed?.close();
  for (const server of servers) await server.sequencer.settle();
  const problem = problems.length > 0 ? problems.join('; ') : await check(store, clients, acked);
  return problem
    ? fail(problem)
    : { seed, ok: true, history, stats: { clients: clientCount, steps, versions: (await store.head(DOC))!.version, crashes, acks: acked.length, pipelined, refusedForBacklog } };

  function fail(problem: string): ScenarioResult {
    return { seed, ok: false, problem, history, stats: { clients: clientCount, steps, versions: -1, crashes, acks: acked.length, pipelined, refusedForBacklog } };
  }
}

async function subscribe(sim: SimClient, store: OpStore, broadcaster: ReturnType<typeof createMemoryBroadcaster>): Promise<OpFeed> {
  return openOpFeed({
    store,
    broadcaster,
    documentId: DOC,
    fromVersion: sim.client.version,
    // Gaps read from the store at once: a wait for reordered ops would put a timer into a run
    // that must replay exactly from its seed (the wait has unit tests of its own).
    gapWaitMs: 0,
    deliver: (op) => sim.down.push({ type: 'op', op }),
    onError: (error) => sim.problems.push(`${sim.name} feed failed: ${String(error)}`),
  });
}

async function disconnect(sim: SimClient, history: string[]): Promise<void> {
  history.push(`${sim.name} DISCONNECT (dropping ${sim.up.length} up, ${sim.down.length} down)`);
  sim.connected = false;
  sim.epoch++;
  sim.up = [];
  sim.down = [];
  await sim.feed?.close();
  sim.feed = null;
  sim.client.onDisconnect();
}

async function reconnect(sim: SimClient, store: OpStore, broadcaster: ReturnType<typeof createMemoryBroadcaster>, history: string[]): Promise<void> {
  sim.connected = true;
  sim.feed = await subscribe(sim, store, broadcaster);
  const head = await store.head(DOC);
  history.push(`${sim.name} RECONNECT from v${sim.client.version} (server v${head?.version})`);
  sim.client.onReconnect(head?.version);
}

/** The scenario's invariants; answers the first one broken, or null. */
async function check(store: OpStore, clients: readonly SimClient[], acked: ReadonlyArray<{ name: string; clientSeq: number; version: number }>): Promise<string | null> {
  const problems = clients.flatMap((c) => c.problems);
  if (problems.length > 0) return problems.join('; ');
  const server = await loadDocument(store, DOC);
  if (!server) return 'document vanished';
  const log = await store.opsAfter(DOC, 0);
  // Versions are 1..N with no gap [S1].
  const gap = log.findIndex((op, i) => op.version !== i + 1);
  if (gap >= 0 || log.length !== server.version) return `op log versions not gapless at index ${gap} (head ${server.version}, ${log.length} ops)`;
  // The document equals the replay of its op log from version 0 [S1, S8].
  const base = await store.latestSnapshotAtOrBelow(DOC, 0);
  if (!base) return 'no version-0 snapshot';
  if (canonical(replay(base, log).content.ops) !== canonical(server.content.ops)) return 'head content differs from the replay of the op log';
  for (const version of [0, Math.floor(server.version / 2), server.version]) {
    const at = await documentAt(store, DOC, version);
    if (at.kind !== 'found' || canonical(at.state.content.ops) !== canonical(replay(base, log.slice(0, version)).content.ops)) {
      return `documentAt(${version}) differs from the replay`;
    }
  }
  // Each (clientId, clientSeq) is applied exactly once, and every one a client issued is applied [S2].
  const seen = new Set<string>();
  for (const op of log) {
    const key = `${op.clientId}#${op.clientSeq}`;
    if (seen.has(key)) return `${key} applied twice`;
    seen.add(key);
  }
  // Every acknowledged op is stored once, at the version its answer named.
  for (const ack of acked) {
    const op = log[ack.version - 1];
    if (!op || op.clientId !== ack.name || op.clientSeq !== ack.clientSeq) {
      return `${ack.name}#${ack.clientSeq} acknowledged at v${ack.version}, but v${ack.version} is ${op ? `${op.clientId}#${op.clientSeq}` : 'missing'}`;
    }
  }
  for (const { name, client } of clients) {
    for (let seq = 1; seq < client.nextClientSeq; seq++) if (!seen.has(`${name}#${seq}`)) return `${name}#${seq} never applied`;
    const status = client.status;
    if (status.state !== 'synchronized' || status.pendingEdits !== 0) return `${name} not synchronized: ${canonical(status)}`;
    if (client.version !== server.version) return `${name} at v${client.version}, server at v${server.version}`;
    if (canonical(client.document.ops) !== canonical(server.content.ops)) {
      return `${name} diverged:\n  client ${canonical(client.document.ops)}\n  server ${canonical(server.content.ops)}`;
    }
    const selection = client.selection;
    if (selection && (selection.index < 0 || selection.length < 0 || selection.index + selection.length > client.document.length())) {
      return `${name} selection ${canonical(selection)} outside the document`;
    }
  }
  return null;
}

/** A failure report: the seed, the broken invariant and the whole interleaving. */
export function describeFailure(result: ScenarioResult): string {
  return [`collab sim seed ${result.seed} failed: ${result.problem}`, `rerun: COLLAB_SIM_SEED=${result.seed} COLLAB_SIM_SCENARIOS=1`, ...result.history].join('\n');
}

/**
 * Text diffs of whole documents off the event loop (issue 21: one long-range `diff` froze the
 * server for seconds). One worker thread per process runs them one at a time; every job has a
 * deadline, and a job still queued or running at its deadline is abandoned (a running one by
 * terminating the worker, which the next job replaces), so no diff costs more than its budget
 * and none of them holds the event loop.
 */
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../import/worker-thread.ts';
import { Delta } from '../ot/operation.ts';
import type { DiffAnswer, DiffJob } from './history-worker-entry.ts';

/**
 * The outcome of one diff: the change, `timeout` when the deadline came first, or `busy` when the
 * same person already has a diff of another request queued or running (one person cannot fill
 * the queue and so push everyone else's diffs past their deadlines).
 */
export type DiffOutcome = { readonly kind: 'done'; readonly delta: Delta } | { readonly kind: 'timeout' } | { readonly kind: 'busy' };

/** Whose diff a job is: the person, and the request it serves (one request's aliased fields may queue together). */
export interface DiffOwner {
  readonly userId: string;
  readonly request: object;
}

interface Pending {
  readonly job: DiffJob;
  readonly owner: DiffOwner | null;
  readonly resolve: (outcome: DiffOutcome) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

const ENTRY = new URL('./history-worker-entry.ts', import.meta.url);

let worker: Worker | null = null;
let running: Pending | null = null;
const queue: Pending[] = [];
let nextId = 1;

function startWorker(): Worker {
  const w = startTypeScriptWorker(ENTRY);
  w.on('message', (answer: DiffAnswer) => {
    const job = running;
    if (!job || job.job.id !== answer.id) return;
    running = null;
    clearTimeout(job.timer);
    if ('error' in answer) job.reject(new Error(`diff worker: ${answer.error}`));
    else job.resolve({ kind: 'done', delta: new Delta(answer.ops) });
    pump();
  });
  const fail = (error: Error) => {
    if (worker !== w) return;
    worker = null;
    const job = running;
    running = null;
    if (job) {
      clearTimeout(job.timer);
      job.reject(error);
    }
    pump();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`diff worker exited with code ${code}`)));
  return w;
}

function pump(): void {
  if (running) return;
  const job = queue.shift();
  if (!job) return;
  running = job;
  worker ??= startWorker();
  worker.postMessage(job.job);
}

function abandon(pending: Pending): void {
  const queued = queue.indexOf(pending);
  if (queued >= 0) queue.splice(queued, 1);
  else if (running === pending) {
    // The only way to stop a synchronous diff: end its thread. The next job starts a new one.
    running = null;
    const w = worker;
    worker = null;
    void w?.terminate();
    pump();
  } else return;
  pending.resolve({ kind: 'timeout' });
}

/**
 * The op turning `from` into `to` (lib/ot `diff`), computed in the worker; `timeout` when it is
 * not done by `deadline` (ms since the epoch), counting the time spent waiting for the worker;
 * `busy` at once when `owner`'s person has a diff of another request queued or running.
 */
export function diffOffThread(from: Delta, to: Delta, deadline: number, owner: DiffOwner | null = null): Promise<DiffOutcome> {
  return new Promise((resolve, reject) => {
    if (owner && [running, ...queue].some((p) => p?.owner?.userId === owner.userId && p.owner.request !== owner.request)) {
      return resolve({ kind: 'busy' });
    }
    const pending: Pending = { job: { id: nextId++, from: from.ops, to: to.ops }, owner, resolve, reject };
    const wait = deadline - Date.now();
    if (wait <= 0) return resolve({ kind: 'timeout' });
    pending.timer = setTimeout(() => abandon(pending), wait);
    pending.timer.unref();
    queue.push(pending);
    pump();
  });
}

/**
 * File imports off the event loop (issue 20): parsing a 5 MiB .docx (mammoth, then
 * html-to-delta) is seconds of synchronous work that used to freeze every other request of the
 * instance. Here it runs in worker threads (./import-worker-entry.ts), with bounds:
 *
 * - at most `threads` files parse at once and `queue` more wait; past that the import is refused
 *   at once, SERVICE_UNAVAILABLE with a retry delay, rather than queued without end;
 * - one file per person at a time (a second one: RATE_LIMITED), so one person cannot fill the
 *   queue;
 * - a file still parsing after `timeoutMs`, or whose parse needs more than `memoryMb` of heap
 *   (a zip bomb: a small .docx that unpacks to gigabytes), ends its thread and is refused as
 *   FILE_UNREADABLE; the next file gets a new thread.
 *
 * Threads start on first use and end after a minute idle; they never keep the process alive.
 */
import type { Worker } from 'node:worker_threads';
import { Delta } from '../ot/operation.ts';
import type { ImportFormat, ImportResult } from './import-file.ts';
import type { ImportAnswer, ImportJob } from './import-worker-entry.ts';
import { startTypeScriptWorker } from './worker-thread.ts';

export interface ImportPoolOptions {
  /** Files parsed at once, one thread each. */
  readonly threads: number;
  /** Files waiting for a thread, beyond those parsing. */
  readonly queue: number;
  /** Longest one file may parse, in milliseconds. */
  readonly timeoutMs: number;
  /** Most heap one parse may use, in MiB. */
  readonly memoryMb: number;
}

/** Refused before parsing: the pool is full, or this person already has a file in it. */
export interface ImportRefusal {
  readonly ok: false;
  readonly code: 'SERVICE_UNAVAILABLE' | 'RATE_LIMITED';
  readonly message: string;
  readonly retryAfterSeconds: number;
}

export interface ImportPool {
  /**
   * Converts a file in a worker thread; `owner` (a user id) may have one file in the pool at a
   * time. Rejects only on a bug (the converter threw).
   */
  run(bytes: Uint8Array, format: ImportFormat, filename: string | null, owner: string): Promise<ImportResult | ImportRefusal>;
  /** Files parsing or waiting. */
  readonly size: number;
  /** Ends every thread; files in the pool are refused SERVICE_UNAVAILABLE. */
  close(): Promise<void>;
}

const ENTRY = new URL('./import-worker-entry.ts', import.meta.url);
const IDLE_MS = 60_000;

interface Job {
  readonly job: ImportJob;
  readonly owner: string;
  readonly resolve: (result: ImportResult | ImportRefusal) => void;
  readonly reject: (error: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  /** Loaded and waiting for jobs (a job's deadline starts when it reaches a ready thread). */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

const unreadable = (message: string): ImportResult => ({ ok: false, code: 'FILE_UNREADABLE', message });

export function createImportPool(options: ImportPoolOptions): ImportPool {
  const threads = new Set<Thread>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const busy = () => [...threads].filter((t) => t.job !== null).length;
  const retryAfter = () => Math.max(1, Math.ceil(options.timeoutMs / 1000 / 4));

  function settle(thread: Thread): Job | null {
    const job = thread.job;
    thread.job = null;
    if (thread.timer) clearTimeout(thread.timer);
    thread.timer = null;
    return job;
  }

  /** Ends a thread (a timeout, a crash, idleness); its job, if any, gets `outcome`. */
  function end(thread: Thread, outcome: ImportResult | ImportRefusal | Error | null): void {
    if (!threads.delete(thread)) return;
    const job = settle(thread);
    void thread.worker.terminate();
    // A thread that never got ready cannot load the converters: a bug or a broken install.
    // Refuse what waits rather than start threads in a loop.
    if (!thread.ready && outcome instanceof Error) for (const waiting of queue.splice(0)) waiting.reject(outcome);
    if (job && outcome) {
      if (outcome instanceof Error) job.reject(outcome);
      else job.resolve(outcome);
    }
    pump();
  }

  function idle(thread: Thread): void {
    thread.timer = setTimeout(() => end(thread, null), IDLE_MS);
    thread.timer.unref();
  }

  function startThread(): Thread {
    const worker = startTypeScriptWorker(ENTRY, { resourceLimits: { maxOldGenerationSizeMb: options.memoryMb } });
    const thread: Thread = { worker, ready: false, job: null, timer: null };
    worker.on('message', (answer: ImportAnswer) => {
      if ('ready' in answer) {
        thread.ready = true;
        idle(thread);
        return pump();
      }
      if (thread.job?.job.id !== answer.id) return;
      const job = settle(thread);
      idle(thread);
      if ('crashed' in answer) job?.reject(new Error(`import worker: ${answer.crashed}`));
      else if (answer.ok) job?.resolve({ ok: true, content: new Delta(answer.ops), title: answer.title });
      else job?.resolve({ ok: false, code: answer.code, message: answer.message });
      pump();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      end(
        thread,
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? unreadable(`This file needs more than ${options.memoryMb} MiB of memory to read (it unpacks to far more than it weighs). Split it into smaller files.`)
          : new Error(`import worker: ${error.message}`),
      );
    });
    worker.on('exit', (code) => end(thread, new Error(`import worker exited with code ${code}`)));
    threads.add(thread);
    return thread;
  }

  function pump(): void {
    while (!closed && queue.length > 0) {
      const thread = [...threads].find((t) => t.ready && t.job === null);
      if (!thread) {
        // Start threads up to the bound; a starting one takes a job once it is ready.
        if (threads.size < options.threads) startThread();
        return;
      }
      const job = queue.shift()!;
      if (thread.timer) clearTimeout(thread.timer);
      thread.job = job;
      const current = thread;
      thread.timer = setTimeout(
        () => end(current, unreadable(`This file took more than ${options.timeoutMs / 1000} s to read, the most one import may take. Split it into smaller files.`)),
        options.timeoutMs,
      );
      thread.timer.unref();
      thread.worker.postMessage(job.job, [job.job.bytes.buffer]);
    }
  }

  return {
    run(bytes, format, filename, owner) {
      return new Promise((resolve, reject) => {
        if (closed) return resolve({ ok: false, code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down; import the file again in a moment.', retryAfterSeconds: 1 });
        const inPool = [...queue, ...[...threads].map((t) => t.job)].some((j) => j?.owner === owner);
        if (inPool) {
          return resolve({ ok: false, code: 'RATE_LIMITED', message: 'Your previous file is still being imported; wait for it to finish, then import the next one.', retryAfterSeconds: retryAfter() });
        }
        if (busy() + queue.length >= options.threads + options.queue) {
          return resolve({ ok: false, code: 'SERVICE_UNAVAILABLE', message: 'The server is importing as many files as it can right now; try again in a few seconds.', retryAfterSeconds: retryAfter() });
        }
        // A copy of its own, transferred to the thread: the request's buffer may share memory with others.
        const own = new Uint8Array(bytes);
        queue.push({ job: { id: nextId++, bytes: own, format, filename }, owner, resolve, reject });
        pump();
      });
    },
    get size() {
      return busy() + queue.length;
    },
    async close() {
      closed = true;
      const refusal: ImportRefusal = { ok: false, code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down; import the file again in a moment.', retryAfterSeconds: 1 };
      for (const job of queue.splice(0)) job.resolve(refusal);
      await Promise.all(
        [...threads].map(async (thread) => {
          threads.delete(thread);
          settle(thread)?.resolve(refusal);
          await thread.worker.terminate();
        }),
      );
    },
  };
}

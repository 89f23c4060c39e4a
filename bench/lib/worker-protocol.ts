/** Messages between the bench orchestrator and its bot processes (child_process IPC, JSON). */
import type { HistogramJson } from './stats.ts';

export interface BotSpec {
  readonly name: string;
  readonly urls: readonly string[];
  readonly documentId: string;
  readonly seed: number;
}

/** A light editor (bench/lib/light-editor.ts): one instance, a session cookie of its own. */
export interface LightSpec {
  readonly name: string;
  readonly url: string;
  readonly documentId: string;
  readonly seed: number;
  readonly cookie: string;
  /** Submissions in flight at once (default the light editor's 8). */
  readonly maxInFlight?: number;
}

export type ToWorker =
  | { readonly type: 'open'; readonly token: string; readonly bots: readonly BotSpec[]; readonly concurrency: number; readonly ackTimeoutMs?: number }
  | { readonly type: 'open-light'; readonly editors: readonly LightSpec[]; readonly concurrency: number; readonly ackTimeoutMs: number }
  /** Every bot types at `opsPerSecond`, every light editor at `lightOpsPerSecond` (default the same). */
  | { readonly type: 'type'; readonly opsPerSecond: number; readonly lightOpsPerSecond?: number; readonly durationMs: number }
  /** Full bots against the server: each equals its document's content at the head (after settling). */
  | { readonly type: 'converge'; readonly token: string; readonly timeoutMs: number }
  | { readonly type: 'reset' }
  | { readonly type: 'report' }
  | { readonly type: 'settle'; readonly timeoutMs: number }
  | { readonly type: 'idle'; readonly token: string; readonly conns: ReadonlyArray<{ url: string; documentId: string }>; readonly concurrency: number }
  | { readonly type: 'close' };

export interface WorkerReport {
  readonly ack: HistogramJson;
  readonly ackFromFirstSend: HistogramJson;
  readonly errorAck: HistogramJson;
  readonly fanout: HistogramJson;
  /** Counters; error answers appear as `error:<code>`. */
  readonly counters: Record<string, number>;
  readonly errorMessages: Record<string, string>;
  /** Per wall-clock second: sends, resends, accepting answers, error answers. */
  readonly timeline: Record<string, { sent: number; resent: number; acks: number; errors: number }>;
  readonly bots: number;
  readonly light: number;
  readonly idle: number;
}

export type FromWorker =
  | { readonly type: 'opened'; readonly ok: number; readonly failed: number; readonly firstError?: string }
  | { readonly type: 'typed' }
  | { readonly type: 'report'; readonly report: WorkerReport }
  | { readonly type: 'settled'; readonly ok: boolean; readonly detail: string }
  /** `unreadable`: documents whose read the server answered with an error; `notSettled`: documents whose bots had not settled in time. Neither is judged. */
  | { readonly type: 'converged'; readonly checked: number; readonly diverged: readonly string[]; readonly unreadable: readonly string[]; readonly notSettled: readonly string[] }
  | { readonly type: 'idle-ready'; readonly ok: number; readonly failed: number; readonly firstError?: string }
  | { readonly type: 'reset-done' }
  | { readonly type: 'closed' };

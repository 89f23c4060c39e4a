/**
 * The worker thread of graphql/history-worker.ts: text diffs of whole documents (lib/ot `diff`),
 * which are one synchronous call each and may take seconds, away from the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { Delta, diff } from '../ot/operation.ts';

/** A request: the two documents' ops. */
export interface DiffJob {
  readonly id: number;
  readonly from: Delta['ops'];
  readonly to: Delta['ops'];
}

/** The answer: the diff's ops, or the error message (a bug: both documents were valid). */
export type DiffAnswer = { readonly id: number; readonly ops: Delta['ops'] } | { readonly id: number; readonly error: string };

parentPort?.on('message', (job: DiffJob) => {
  let answer: DiffAnswer;
  try {
    answer = { id: job.id, ops: diff(new Delta(job.from), new Delta(job.to)).ops };
  } catch (error) {
    answer = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
});

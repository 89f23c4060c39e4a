/**
 * The worker thread of ./import-pool.ts: turns one file's bytes into a document (./import-file.ts:
 * mammoth or markdown-it, then html-to-delta and validation), which is synchronous work of up to
 * seconds for a large file, away from the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import type { Delta } from '../ot/operation.ts';
import { importFile, type ImportErrorCode, type ImportFormat } from './import-file.ts';

/** A request: the file (its buffer transferred, not copied), its format and name. */
export interface ImportJob {
  readonly id: number;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly format: ImportFormat;
  readonly filename: string | null;
}

/**
 * The answer: import-file's result with the content as plain ops, or a crash's message (a bug);
 * `ready` once, when the thread has loaded the converters (a job's deadline starts only then).
 */
export type ImportAnswer =
  | { readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly ops: Delta['ops']; readonly title: string | null }
  | { readonly id: number; readonly ok: false; readonly code: ImportErrorCode; readonly message: string }
  | { readonly id: number; readonly crashed: string };

// Loaded before saying ready, so that no file's deadline pays for module loading.
await Promise.all([import('mammoth'), import('markdown-it')]);
parentPort?.postMessage({ ready: true } satisfies ImportAnswer);

parentPort?.on('message', (job: ImportJob) => {
  importFile(job.bytes, job.format, job.filename).then(
    (result) => parentPort?.postMessage(result.ok ? { id: job.id, ok: true, ops: result.content.ops, title: result.title } : { id: job.id, ...result } satisfies ImportAnswer),
    (error: unknown) => parentPort?.postMessage({ id: job.id, crashed: error instanceof Error ? error.message : String(error) } satisfies ImportAnswer),
  );
});

/**
 * Worker threads that run one of our TypeScript files (the import pool's converters, the history
 * diffs of lib/documents/history-worker.ts). The thread loads its entry through tsx's API,
 * whether or not this process runs under tsx (vitest, `npm start`), and never keeps the process
 * alive. Here, in the lowest layer both users may import, rather than in lib/server.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const TSX_API = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;

/** Starts a thread running the TypeScript module `entry` (a file URL), unref'd; `options` as Worker's, minus `eval`. */
export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const href = JSON.stringify(entry.href);
  const worker = new Worker(`import(${JSON.stringify(TSX_API)}).then((tsx) => tsx.tsImport(${href}, ${href}));`, { ...options, eval: true });
  worker.unref();
  return worker;
}

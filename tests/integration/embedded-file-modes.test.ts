/**
 * Issue 21 item 7, embedded files: whatever DATA_DIR's mode (here a pre-existing 0755 folder
 * holding a database folder from an older version with world-readable files), every file and
 * folder of the embedded database, the WAL included, ends up readable by its owner only.
 * Runs the database in a child process, like `npm start` without DATABASE_URL.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

/** Every path under `root` with its permission bits. */
async function modes(root: string): Promise<Array<{ path: string; mode: number; dir: boolean }>> {
  const out: Array<{ path: string; mode: number; dir: boolean }> = [];
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      const info = await stat(full);
      out.push({ path: path.relative(root, full), mode: info.mode & 0o777, dir: entry.isDirectory() });
      if (entry.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return out;
}

const SCRIPT = `
import { startEmbeddedPostgres } from './lib/embedded/embedded-postgres.ts';
import pg from 'pg';
import { statSync } from 'node:fs';
import { join } from 'node:path';
const db = await startEmbeddedPostgres(process.argv[1]);
const client = new pg.Client({ connectionString: db.url });
await client.connect();
await client.query('CREATE TABLE secrets (token text)');
await client.query("INSERT INTO secrets SELECT 'session-token-' || g FROM generate_series(1, 2000) g");
const { rows } = await client.query("SELECT pg_relation_filepath('secrets') AS file");
const mode = (p) => (statSync(p).mode & 0o777).toString(8);
// While it runs: the folder, a relation created now and the WAL.
console.log(JSON.stringify({ folder: mode(db.dataPath), relation: mode(join(db.dataPath, rows[0].file)), wal: mode(join(db.dataPath, 'pg_wal', '000000010000000000000001')) }));
await client.end();
await db.close();
`;

describe('embedded database files (issue 21 item 7)', () => {
  it('are owner-only (folders 0700, files 0600, WAL included) even in a pre-existing 0755 DATA_DIR with world-readable old files', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'verso-modes-'));
    folders.push(dataDir);
    await chmod(dataDir, 0o755);
    // A database folder left by an older version: open folder, a world-readable file in it.
    await mkdir(path.join(dataDir, 'pglite'), { mode: 0o755 });
    await chmod(path.join(dataDir, 'pglite'), 0o755);
    await writeFile(path.join(dataDir, 'pglite', 'left-over'), 'old', { mode: 0o666 });
    await chmod(path.join(dataDir, 'pglite', 'left-over'), 0o666);

    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, dataDir], { cwd: process.cwd(), timeout: 120_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ folder: '700', relation: '600', wal: '600' });

    expect((await stat(path.join(dataDir, 'pglite'))).mode & 0o777).toBe(0o700);
    const entries = await modes(path.join(dataDir, 'pglite'));
    expect(entries.some((e) => e.path.startsWith(`pg_wal${path.sep}`) && !e.dir)).toBe(true);
    expect(entries.length).toBeGreaterThan(100);
    const open = entries.filter((e) => (e.mode & 0o077) !== 0).map((e) => `${e.path} ${e.mode.toString(8)}`);
    expect(open).toEqual([]);
  }, 150_000);
});

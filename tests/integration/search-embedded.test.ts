/**
 * Full-text search in the embedded mode (issue 20 item 3): no DATABASE_URL, no REDIS_URL, so the
 * server runs PGlite under a temporary DATA_DIR and in-process pub/sub; the same scenario as on
 * PostgreSQL must hold. Its own file: the embedded database is process-wide state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { createLogger } from '../../lib/logger.ts';
import { startVersoServer, type VersoServer } from '../../lib/server/http-server.ts';
import { searchScenario } from '../support/search-scenario.ts';

let server: VersoServer | null = null;
let dataDir: string | null = null;

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('documents(search:) in the embedded mode (PGlite)', () => {
  it('ranks title and content matches, highlights them as plain text, follows access and finds an edit within seconds', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'verso-search-embedded-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', APP_ORIGIN: 'http://localhost:3000' });
    server = await startVersoServer({ config, logger: createLogger(), web: false, shutdownGraceMs: 2000 });
    await searchScenario(server);
  }, 120_000);
});

/** The write path's settings (lib/config.ts): pools per instance and the submission queue's bounds. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.ts';

describe('write path configuration', () => {
  it('defaults to 10 + 6 + 6 connections per instance, 2,000 queued submissions, a 6 s deadline and a 150 ms wait bound per author (O5 on)', () => {
    const config = loadConfig({});
    expect(config.dbPools).toEqual({ main: 10, write: 6, feed: 6 });
    expect(config.submitQueue).toEqual({ max: 2000, deadlineMs: 6000, maxWaitMs: 150 });
    expect(loadConfig({ SUBMIT_MAX_WAIT_MS: '0' }).submitQueue.maxWaitMs).toBe(0); // off
  });

  it('reads DB_POOL_*, SUBMIT_QUEUE_MAX, SUBMIT_MAX_WAIT_MS and SUBMIT_DEADLINE_MS, refusing a deadline at or past the client\'s 10 s ack timeout', () => {
    const config = loadConfig({ DB_POOL_MAIN: '5', DB_POOL_WRITE: '3', DB_POOL_FEED: '2', SUBMIT_QUEUE_MAX: '50', SUBMIT_DEADLINE_MS: '4000', SUBMIT_MAX_WAIT_MS: '400' });
    expect([config.dbPools, config.submitQueue]).toEqual([{ main: 5, write: 3, feed: 2 }, { max: 50, deadlineMs: 4000, maxWaitMs: 400 }]);
    for (const bad of ['10000', '50', 'soon', '2.5']) expect(() => loadConfig({ SUBMIT_DEADLINE_MS: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ DB_POOL_WRITE: '0' })).toThrow(/DB_POOL_WRITE/);
  });

  it('DB_PREPARED_STATEMENTS: on by default, off for a pooler that cannot keep prepared statements, anything else refused', () => {
    expect(loadConfig({}).dbPreparedStatements).toBe(true);
    expect(loadConfig({ DB_PREPARED_STATEMENTS: 'off' }).dbPreparedStatements).toBe(false);
    expect(() => loadConfig({ DB_PREPARED_STATEMENTS: 'yes' })).toThrow(/DB_PREPARED_STATEMENTS must be "on" or "off"/);
  });

  it('WRITER_ROUTING: one writer per document on by default, off to sequence every submission where it arrives, anything else refused', () => {
    expect(loadConfig({}).writerRouting).toBe(true);
    expect(loadConfig({ WRITER_ROUTING: 'off' }).writerRouting).toBe(false);
    expect(() => loadConfig({ WRITER_ROUTING: 'true' })).toThrow(/WRITER_ROUTING must be "on" or "off"/);
  });
});

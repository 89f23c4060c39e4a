/**
 * A pool that stays busy past its wait is overload, not a fault: `isPoolTimeout` recognises the
 * real error of pg-pool (which @prisma/adapter-pg passes on unchanged), which submitOperation answers
 * as RATE_LIMITED with retryAfterSeconds instead of INTERNAL_SERVER_ERROR.
 */
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { isPoolTimeout } from '../../lib/db/prisma.ts';

describe('pool timeouts', () => {
  it('the error of a checkout that waited past connectionTimeoutMillis is recognised; other errors are not', async () => {
    const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 1, connectionTimeoutMillis: 200 });
    const held = await pool.connect();
    try {
      const error = await pool.query('SELECT 1').catch((e: unknown) => e);
      expect(isPoolTimeout(error)).toBe(true);
      const syntax = await held.query('SELEC 1').catch((e: unknown) => e);
      expect(isPoolTimeout(syntax)).toBe(false);
    } finally {
      held.release();
      await pool.end();
    }
  });
});

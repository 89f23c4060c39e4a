/** /api/ready says what is true about Redis (issue 19): there is none in zero-config mode. */
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.ts';

describe('/api/ready', () => {
  it('reports "redis": "not configured" without REDIS_URL (in-process pub/sub), not true', async () => {
    const server = await startTestServer({ env: { REDIS_URL: '' } });
    expect(server.services.pubsub.kind).toBe('in-process');
    const response = await fetch(`${server.url}/api/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', postgres: true, redis: 'not configured' });
  });
});

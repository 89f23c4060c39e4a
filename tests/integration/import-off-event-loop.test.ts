/**
 * Issue 20 item 3: a large .docx import does not block the server. Parsing it (mammoth, then
 * html-to-delta) on the event loop stalls it for as long as the parse takes (measured here as
 * the control); in the import pool's worker thread the event loop's longest stall
 * (`monitorEventLoopDelay`, as collab-catch-up-budget.test.ts measures it) stays short while the
 * same file is parsed and, through the real route, imported. The pool's bounds answer at once:
 * SERVICE_UNAVAILABLE when full, RATE_LIMITED for a second file of one person, FILE_UNREADABLE
 * past the time or memory a parse may take.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDocx } from '../../lib/export/docx.ts';
import { importFile } from '../../lib/import/import-file.ts';
import { createImportPool, type ImportPool } from '../../lib/import/import-pool.ts';
import { Delta } from '../../lib/ot/operation.ts';
import type { VersoServer } from '../../lib/server/http-server.ts';
import { bearer, createToken, signUp } from '../support/auth.ts';
import { startTestServer } from '../support/server.ts';

/** A long formatted document as Word writes it: headings, lists, quotes and mixed runs. */
function longDocument(paragraphs: number): Delta {
  const doc = new Delta();
  for (let i = 0; i < paragraphs; i++) {
    if (i % 50 === 0) doc.insert(`Chapter ${i / 50 + 1}`).insert('\n', { header: 1 });
    doc.insert(`Paragraph ${i}: some plain words, `).insert('a bold part', { bold: true }).insert(', an ').insert('italic one', { italic: true }).insert(' and a ').insert('link', { link: 'https://example.com/' }).insert('.');
    doc.insert('\n', i % 7 === 0 ? { list: 'bullet' } : i % 11 === 0 ? { blockquote: true } : undefined);
  }
  return doc;
}

let big: Uint8Array;
const pools: ImportPool[] = [];
const pool = (options: Partial<Parameters<typeof createImportPool>[0]> = {}) => {
  const created = createImportPool({ threads: 1, queue: 0, timeoutMs: 60_000, memoryMb: 512, ...options });
  pools.push(created);
  return created;
};

beforeAll(async () => {
  // 3,000 formatted paragraphs (about 140 KiB of .docx): seconds of parsing on these machines.
  big = new Uint8Array(await toDocx(longDocument(3_000), 'Long'));
}, 300_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

let control: Promise<{ maxStallMs: number; p99StallMs: number; utilization: number; ms: number; value: Awaited<ReturnType<typeof importFile>> }> | null = null;
/** The control, measured once: the same file parsed on the event loop, as before the pool. */
const inline = () => (control ??= measured(() => importFile(big, 'docx', 'long.docx')));

/**
 * Runs `work` while measuring the event loop: its longest stall and its 99th-percentile delay
 * (ms), and its utilization (the share of the time it was busy rather than waiting for I/O; a
 * parse on it keeps it near 1). They are read as ratios against the control, since the machines
 * running the tests are shared.
 */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; maxStallMs: number; p99StallMs: number; utilization: number; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const started = performance.now();
  const elu = performance.eventLoopUtilization();
  const value = await work();
  const { utilization } = performance.eventLoopUtilization(elu);
  const ms = performance.now() - started;
  histogram.disable();
  return { value, maxStallMs: histogram.max / 1e6, p99StallMs: histogram.percentile(99) / 1e6, utilization, ms };
}

describe('[import] parsing off the event loop', () => {
  it('a large .docx keeps the event loop busy for its whole parse inline, and nearly idle in the pool', async () => {
    const threads = pool();
    await threads.run(new TextEncoder().encode('# warm\n'), 'markdown', 'warm.md', 'warm-up'); // thread start and module loading
    const { value, maxStallMs, p99StallMs, utilization, ms } = await inline();
    expect(value.ok).toBe(true);
    const pooled = await measured(() => threads.run(big, 'docx', 'long.docx', 'someone'));
    const pct = (u: number) => `${(u * 100).toFixed(0)} %`;
    console.log(
      `[import] ${(big.byteLength / 1024).toFixed(0)} KiB .docx: inline ${ms.toFixed(0)} ms, event loop busy ${pct(utilization)}, delay p99 ${p99StallMs.toFixed(0)} ms, longest stall ${maxStallMs.toFixed(0)} ms; ` +
        `pool ${pooled.ms.toFixed(0)} ms, busy ${pct(pooled.utilization)}, delay p99 ${pooled.p99StallMs.toFixed(0)} ms, longest stall ${pooled.maxStallMs.toFixed(0)} ms`,
    );
    // The control: inline, the parse occupies the event loop (this is what the pool removes).
    expect(utilization).toBeGreaterThan(0.6);
    expect(pooled.value).toMatchObject({ ok: true });
    if (pooled.value.ok && value.ok) expect(pooled.value.content.ops).toEqual(value.content.ops);
    expect(pooled.utilization).toBeLessThan(0.15);
    // Inline the parse yields between slices, so its longest stall is only ~30–55 ms, while the
    // pool's loop, idle, still shows ~10–20 ms of the timer's own delay on a machine busy with other test
    // files (CI on 5169047 failed on "longest stall under half the control's": 18 against 34 ms).
    // What the parse moves is every slice's delay inline, nothing in the pool: the utilization
    // above, and the delay's 99th percentile and maximum both below the control's.
    expect(pooled.p99StallMs).toBeLessThan(p99StallMs);
    expect(pooled.maxStallMs).toBeLessThan(maxStallMs);
  }, 120_000);

  it('refuses at once when full (SERVICE_UNAVAILABLE) and a second file of the same person (RATE_LIMITED), then takes files again', async () => {
    const threads = pool({ threads: 1, queue: 1 });
    const running = threads.run(big, 'docx', 'a.docx', 'ann');
    const waiting = threads.run(new TextEncoder().encode('# b\n'), 'markdown', 'b.md', 'bob');
    expect(await threads.run(new TextEncoder().encode('# c\n'), 'markdown', 'c.md', 'cy')).toMatchObject({ ok: false, code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) });
    expect(await threads.run(new TextEncoder().encode('# a2\n'), 'markdown', 'a2.md', 'ann')).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(threads.size).toBe(2);
    expect(await running).toMatchObject({ ok: true });
    expect(await waiting).toMatchObject({ ok: true });
    expect(threads.size).toBe(0);
    expect(await threads.run(new TextEncoder().encode('# a3\n'), 'markdown', 'a3.md', 'ann')).toMatchObject({ ok: true });
  }, 120_000);

  it('ends a parse past its time (FILE_UNREADABLE) and the next file gets a fresh thread', async () => {
    const threads = pool({ timeoutMs: 300 });
    const slow = await threads.run(big, 'docx', 'slow.docx', 'ann');
    expect(slow).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
    if (!slow.ok) expect(slow.message).toContain('took more than 0.3 s');
    expect(await threads.run(new TextEncoder().encode('# ok\n'), 'markdown', 'ok.md', 'ann')).toMatchObject({ ok: true });
  }, 120_000);

  it('ends a parse past its memory (a file that unpacks to far more than it weighs): FILE_UNREADABLE, not a crashed server', async () => {
    const threads = pool({ memoryMb: 16 });
    const result = await threads.run(big, 'docx', 'bomb.docx', 'ann');
    expect(result).toMatchObject({ ok: false, code: 'FILE_UNREADABLE' });
    if (!result.ok) expect(result.message).toContain('16 MiB');
    expect(await threads.run(new TextEncoder().encode('# ok\n'), 'markdown', 'ok.md', 'ann')).toMatchObject({ ok: true });
  }, 120_000);
});

describe('[import] POST /api/documents/import with the pool', () => {
  let server: VersoServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { IMPORT_THREADS: '1', IMPORT_QUEUE: '0' } });
  });

  const post = (token: string, name: string, body: Uint8Array) =>
    fetch(`${server.url}/api/documents/import?filename=${name}`, { method: 'POST', headers: { authorization: bearer(token), 'content-type': 'application/octet-stream' }, body: new Blob([new Uint8Array(body)]) });

  it('imports the large .docx without the parse on the event loop; a file arriving while the pool is full gets 503 with Retry-After', async () => {
    const ann = await signUp(server);
    const bob = await signUp(server);
    const annToken = (await createToken(server, ann.cookie)).token;
    const bobToken = (await createToken(server, bob.cookie)).token;
    const warm = await post(annToken, 'warm.md', new TextEncoder().encode('# warm\n'));
    expect(warm.status).toBe(201);

    let refused: Response | null = null;
    const run = await measured(async () => {
      const importing = post(annToken, 'long.docx', big);
      // Bob's file arrives while Ann's is parsing (the parse takes seconds; see the control above).
      await new Promise((resolve) => setTimeout(resolve, 500));
      refused = await post(bobToken, 'small.md', new TextEncoder().encode('# small\n'));
      return importing;
    });
    console.log(`[import] route: ${run.ms.toFixed(0)} ms, event loop busy ${(run.utilization * 100).toFixed(0)} %, longest stall ${run.maxStallMs.toFixed(0)} ms`);
    expect(run.value.status).toBe(201);
    const answer = refused as Response | null;
    expect(answer?.status).toBe(503);
    expect(answer?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await answer!.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
    // What is left on the event loop is creating the document from the parsed ops (the
    // createDocument mutation's validation and storage, as for a document sent over GraphQL: its
    // longest stall is that mutation's); the parse, the event loop's whole time inline, is gone.
    expect(run.utilization).toBeLessThan(0.3);
  }, 120_000);
});

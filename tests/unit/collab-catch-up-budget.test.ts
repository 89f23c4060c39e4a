/**
 * The catch-up budget [PL8] (issue 14 item 3) and the byte-bounded known heads [K4] (item 7):
 * pure planner checks, then the sequencer on memory ports.
 */
import { describe, expect, it } from 'vitest';
import { headBytes, type KnownHead } from '../../lib/collab/known-head.ts';
import { answerOf, planBatch, transformWork } from '../../lib/collab/planner.ts';
import type { AppliedOp } from '../../lib/collab/types.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import { DOC, setup, submission } from '../support/collab-fakes.ts';

const T0 = Date.UTC(2026, 0, 1);
const op = (version: number): AppliedOp => ({ documentId: DOC, version, delta: new Delta().insert('x'), authorId: 'u-x', clientId: 'x', clientSeq: version, createdAt: new Date(T0 + version) });

/** A head at `version` whose tail holds every op (one "x" each, inserted at the start). */
function headWith(version: number): KnownHead {
  const tail = Array.from({ length: version }, (_, i) => op(i + 1));
  return { version, content: new Delta().insert(`${'x'.repeat(version)}\n`), createdAt: new Date(T0), historyEpoch: 0, newest: null, tail, fingerprint: '' };
}
const plan = (head: KnownHead, baseVersion: number, delta: Delta, catchUp = { maxOps: 1000, maxWork: 40_000 }) => {
  const planned = planBatch(head, DOC, [submission(baseVersion, 1, delta)], { now: () => new Date(T0), pauseMs: 300_000, catchUp });
  return answerOf(planned, 0);
};
const components = (n: number) => new Delta(Array.from({ length: n }, (_, i) => (i % 2 ? { insert: 'ab', attributes: { bold: true } } : { insert: 'cd' })));

describe('catch-up budget [PL8]', () => {
  it('[PL8] a base further behind than maxOps is refused VERSION_TOO_OLD, saying how far behind and to reload; maxOps behind is transformed', () => {
    const head = headWith(1001);
    const refused = plan(head, 0, new Delta().insert('a'));
    expect(refused).toMatchObject({ kind: 'rejected', code: 'VERSION_TOO_OLD' });
    expect(refused.kind === 'rejected' && refused.message).toMatch(/1001 versions behind.*at most 1000.*Reload the document/);
    expect(plan(head, 1, new Delta().insert('a'))).toMatchObject({ kind: 'applied', version: 1002 });
  });

  it('[PL8] the reported case, one 10,000-component op over 1,000 small missed ops, is refused VERSION_TOO_OLD before any transform', () => {
    const head = headWith(1000);
    const refused = plan(head, 0, components(10_000));
    expect(refused).toMatchObject({ kind: 'rejected', code: 'VERSION_TOO_OLD' });
    expect(refused.kind === 'rejected' && refused.message).toMatch(/10000 components.*1000 ops.*too much work.*limit is 40000.*Reload/);
  });

  it('[PL8] transform work counts, per op it is transformed over, 16 + its components + that op\'s, batch ops included', () => {
    expect(transformWork(components(10_000), [op(1), op(2)])).toBe(2 * (16 + 10_000) + 2);
    const head = headWith(4);
    // 10,000 components over 3 missed ops: 30,051 steps, within 40,000; over 4: 40,068, refused.
    expect(plan(head, 1, components(10_000))).toMatchObject({ kind: 'applied' });
    expect(plan(head, 0, components(10_000))).toMatchObject({ kind: 'rejected', code: 'VERSION_TOO_OLD' });
    // Ops accepted earlier in the same batch count too.
    const planned = planBatch(
      head,
      DOC,
      [submission(4, 1, new Delta().insert('a'), 'a'), submission(4, 1, new Delta().insert('b'), 'b'), submission(2, 1, components(10_000), 'c')],
      { now: () => new Date(T0), pauseMs: 300_000, catchUp: { maxOps: 1000, maxWork: 40_000 } },
    );
    expect(answerOf(planned, 2)).toMatchObject({ kind: 'rejected', code: 'VERSION_TOO_OLD' });
    expect(planned.ops.map((o) => o.clientId)).toEqual(['a', 'b']);
  });

  it('[PL8] the sequencer refuses a base older than CATCHUP_MAX_OPS without reading the ops before the budget', async () => {
    const { sequencer, store } = await setup('Hello\n', { catchUp: { maxOps: 5, maxWork: 40_000 } });
    for (let v = 0; v < 10; v++) expect(await sequencer.submit(submission(v, v + 1, new Delta().insert('y'), 'w'))).toMatchObject({ kind: 'applied' });
    const asked: (number | undefined)[] = [];
    const load = store.load.bind(store);
    store.load = (documentId, historyAfter) => {
      asked.push(historyAfter);
      return load(documentId, historyAfter);
    };
    // Another instance, with no known head of DOC.
    const other = createSequencer({ store, broadcaster: createMemoryBroadcaster(), catchUp: { maxOps: 5, maxWork: 40_000 } });
    expect(await other.submit(submission(0, 1, new Delta().insert('old'), 'o'))).toMatchObject({ kind: 'rejected', code: 'VERSION_TOO_OLD' });
    expect(await other.submit(submission(5, 2, new Delta().insert('ok'), 'o'))).toMatchObject({ kind: 'applied', version: 11 });
    expect(asked.every((after) => after === undefined || after >= 10 - 5)).toBe(true);
  });
});

describe('known heads bounded by bytes [K4]', () => {
  it('[K4] a set of large documents never pushes the known heads past KNOWN_HEADS_MAX_BYTES; least recently used go first', async () => {
    const maxBytes = 3 * 1024 * 1024;
    const { sequencer } = await setup('Hello\n', { cacheMaxBytes: maxBytes });
    const large = (n: number) => new Delta().insert(`${String(n).repeat(300_000).slice(0, 300_000)}\n`); // ~600 KB estimated each
    let peak = 0;
    for (let n = 0; n < 12; n++) {
      const id = `large-${n}`;
      expect(await sequencer.createDocument(id, large(n))).toMatchObject({ kind: 'created' });
      expect(await sequencer.submit({ ...submission(0, 1, new Delta().insert('a')), documentId: id })).toMatchObject({ kind: 'applied' });
      if (n === 3) expect(await sequencer.submit({ ...submission(1, 2, new Delta().insert('b')), documentId: 'large-0' })).toMatchObject({ kind: 'applied' });
      const usage = sequencer.cacheUsage();
      peak = Math.max(peak, usage.bytes);
      expect(usage.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(peak).toBeGreaterThan(maxBytes / 2);
    expect(sequencer.cacheUsage().entries).toBeLessThan(12);
    // A document too large for the whole bound is not kept, and still takes ops.
    const { sequencer: small } = await setup('Hello\n', { cacheMaxBytes: 100_000 });
    expect(await small.createDocument('huge', large(1))).toMatchObject({ kind: 'created' });
    expect(await small.submit({ ...submission(0, 1, new Delta().insert('a')), documentId: 'huge' })).toMatchObject({ kind: 'applied', version: 1 });
    expect(await small.submit({ ...submission(1, 2, new Delta().insert('b')), documentId: 'huge' })).toMatchObject({ kind: 'applied', version: 2 });
    expect(small.cacheUsage().bytes).toBeLessThanOrEqual(100_000);
  });

  it('[K4] a document whose tail holds large ops stays known with its oldest tail ops dropped to fit a quarter of the bound', async () => {
    const maxBytes = 4 * 1024 * 1024;
    const { sequencer } = await setup('Hello\n', { cacheMaxBytes: maxBytes });
    const paste = 'p'.repeat(300_000); // ~600 KB estimated in the tail, each time
    let version = 0;
    for (let i = 0; i < 4; i++) {
      expect(await sequencer.submit(submission(version, ++version, new Delta().insert(paste)))).toMatchObject({ kind: 'applied', version });
      expect(await sequencer.submit(submission(version, ++version, new Delta().delete(paste.length)))).toMatchObject({ kind: 'applied', version });
    }
    // The content holds the last paste; the tail could not hold it as well within 1 MiB.
    expect(await sequencer.submit(submission(version, ++version, new Delta().insert(paste)))).toMatchObject({ kind: 'applied', version });
    expect(sequencer.cacheUsage().entries).toBe(1);
    expect(sequencer.cacheUsage().bytes).toBeLessThanOrEqual(maxBytes / 4);
    expect(sequencer.cacheUsage().bytes).toBeGreaterThan(600_000);
    // And it keeps taking ops.
    expect(await sequencer.submit(submission(version, ++version, new Delta().insert('!')))).toMatchObject({ kind: 'applied', version });
  });

  it('[K4] headBytes grows with content and tail', () => {
    const small = headWith(1);
    expect(headBytes(headWith(100))).toBeGreaterThan(headBytes(small));
    expect(headBytes({ ...small, content: new Delta().insert(`${'z'.repeat(1_000_000)}\n`) })).toBeGreaterThan(2_000_000);
  });
});

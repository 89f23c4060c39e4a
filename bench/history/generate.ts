/**
 * The bench document: `count` ops by three authors, generated through the real sequencer
 * (PostgreSQL op store, Redis broadcaster), with a simulated clock so that the history has
 * realistic revisions: a few seconds between ops, and a pause of minutes every few dozen ops.
 *
 * Ops look like typing: short inserts at each author's cursor, backspaces, new lines with block
 * formats, bold/italic over a word, now and then a pasted paragraph or a deleted sentence. The
 * document grows to about `softMaxLength` characters and then hovers there.
 */
import type pg from 'pg';
import { createSequencer } from '../../lib/collab/sequencer.ts';
import type { PrismaClient } from '../../lib/db/prisma.ts';
import { createPrismaOpStore } from '../../lib/db/op-store.ts';
import { Delta } from '../../lib/ot/operation.ts';
import { seededRandom } from '../../lib/ot/random-op.ts';
import type { Broadcaster } from '../../lib/collab/broadcaster.ts';

export const AUTHORS = ['bench-ann', 'bench-bob', 'bench-cy'] as const;
const WORDS = ['history', 'version', 'the', 'of', 'revision', 'blame', 'editor', 'and', 'a', 'document', 'fast', 'page'];

export interface GenerateOptions {
  readonly prisma: PrismaClient;
  /** The op store's write pool (issue 13: commits run on a pool of their own). */
  readonly pool: pg.Pool;
  readonly broadcaster: Broadcaster;
  readonly documentId: string;
  readonly count: number;
  readonly snapshotEvery: number;
  readonly softMaxLength?: number;
  readonly onProgress?: (version: number) => void;
}

/** Creates the document and submits `count` ops one after another; resolves with the head version. */
export async function generateDocument(options: GenerateOptions): Promise<number> {
  const { prisma, documentId, count } = options;
  const softMax = options.softMaxLength ?? 60_000;
  const organization = await prisma.organization.create({ data: { name: 'Bench history' } });
  await prisma.user.createMany({ data: AUTHORS.map((id) => ({ id, email: `${id}@bench.invalid`, name: id })), skipDuplicates: true });
  const random = seededRandom(100_000);
  let now = Date.UTC(2026, 0, 1, 9);
  const store = createPrismaOpStore(prisma, {
    pool: options.pool,
    placement: () => ({ organizationId: organization.id, title: 'Bench: 100,000 ops', createdById: AUTHORS[0] }),
  });
  const sequencer = createSequencer({ store, broadcaster: options.broadcaster, clock: () => new Date(now), snapshotEvery: options.snapshotEvery });
  const created = await sequencer.createDocument(documentId, new Delta().insert('Bench document\n', {}));
  if (created.kind !== 'created') throw new Error(`bench: could not create ${documentId}: ${created.message}`);

  let length = 'Bench document\n'.length;
  const cursors = AUTHORS.map(() => 0);
  const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
  for (let version = 1; version <= count; version++) {
    const who = Math.floor(random() * random() * 3.999) % 3; // one author types more than the others
    // Seconds between keystroke batches; a pause of 6–40 minutes every ~40 ops starts a new revision.
    now += random() < 0.025 ? (6 + random() * 34) * 60_000 : 500 + random() * 8_000;
    const last = length - 1; // position of the final newline
    let cursor = Math.min(cursors[who]!, last);
    if (random() < 0.05) cursor = Math.floor(random() * last);
    const roll = random();
    const growing = length < softMax;
    let delta: Delta;
    if (roll < (growing ? 0.62 : 0.45)) {
      const text = random() < 0.02 ? Array.from({ length: 40 }, word).join(' ') + '. ' : `${word()} `;
      delta = new Delta().retain(cursor).insert(text);
      cursor += text.length;
    } else if (roll < (growing ? 0.8 : 0.85) && cursor > 0) {
      const span = Math.min(cursor, random() < 0.03 ? 200 : 1 + Math.floor(random() * 6));
      delta = new Delta().retain(cursor - span).delete(span);
      cursor -= span;
    } else if (roll < 0.9) {
      const attributes = random() < 0.5 ? { header: 1 + Math.floor(random() * 3) } : { list: random() < 0.5 ? 'bullet' : 'ordered' };
      delta = new Delta().retain(cursor).insert('\n', random() < 0.4 ? attributes : undefined);
      cursor += 1;
    } else {
      const span = Math.min(last - cursor, 3 + Math.floor(random() * 12));
      const attributes = random() < 0.5 ? { bold: random() < 0.8 ? true : null } : { italic: true };
      delta = span > 0 ? new Delta().retain(cursor).retain(span, attributes) : new Delta().retain(cursor).insert('x');
      if (span === 0) cursor += 1;
    }
    const author = AUTHORS[who]!;
    const result = await sequencer.submit({ documentId, baseVersion: version - 1, clientId: `bench-${author}`, clientSeq: version, delta, authorId: author });
    if (result.kind !== 'applied') throw new Error(`bench: op ${version} was ${result.kind}: ${JSON.stringify(result)}`);
    length += delta.changeLength();
    cursors[who] = cursor;
    // Other authors' cursors after this edit shift like a real client's would.
    for (let i = 0; i < cursors.length; i++) if (i !== who) cursors[i] = delta.transformPosition(cursors[i]!);
    if (version % 5000 === 0) options.onProgress?.(version);
  }
  await sequencer.settle(); // snapshots are saved after the answers
  return count;
}

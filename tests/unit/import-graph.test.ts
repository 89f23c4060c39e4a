/**
 * The import graph (scripts/check-imports.ts): no cycle between our files, every import goes down
 * the layers, the house rules hold (app/ and the API client stay on their side), and
 * ARCHITECTURE.md's list of arrows is the one the code has.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, folderArrows, importGraph, problems } from '../../scripts/check-imports.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('the import graph', () => {
  const graph = importGraph(root);

  it('has no cycle, no upward import, no unplaced folder and no broken rule', () => {
    expect(problems(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const looped = new Map(graph);
    looped.set('lib/ot/operation.ts', new Set([...(graph.get('lib/ot/operation.ts') ?? []), 'lib/collab/types.ts']));
    expect(cycles(looped).some((part) => part.includes('lib/ot/operation.ts') && part.includes('lib/collab/types.ts'))).toBe(true);
    expect(problems(looped)).toContain('rule: lib/ot/operation.ts -> lib/collab/types.ts (lib/ot imports nothing of ours)');
  });

  it("matches ARCHITECTURE.md's arrows (regenerate them with `npm run check:imports -- --arrows`)", () => {
    const doc = readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8');
    const block = /<!-- arrows -->\n```text\n([\s\S]*?)```/.exec(doc);
    expect(block, 'ARCHITECTURE.md has no <!-- arrows --> block').not.toBeNull();
    const expected = [...folderArrows(graph)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([a, bs]) => `${a} -> ${[...bs].sort().join(', ')}\n`).join('');
    expect(block![1]).toBe(expected);
  });
});

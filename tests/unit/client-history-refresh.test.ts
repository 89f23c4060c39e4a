/**
 * The history panel follows the document live by reloading its first page; entries the person
 * loaded with "More" must survive that refresh (found in review: a live reload replaced the list).
 */
import { describe, expect, it } from 'vitest';
import { withRefreshedFirstPage } from '../../lib/api-client/history-queries.ts';

const span = (fromVersion: number, toVersion: number, id = `${fromVersion}-${toVersion}`) => ({ id, fromVersion, toVersion });

describe('withRefreshedFirstPage', () => {
  it('keeps the older pages a person loaded when the first page is refreshed live', () => {
    const loaded = [span(40, 50), span(30, 40), span(20, 30), span(10, 20), span(0, 10)];
    const fresh = [span(50, 55), span(40, 50), span(30, 40)];
    expect(withRefreshedFirstPage(loaded, fresh).map((r) => r.id)).toEqual(['50-55', '40-50', '30-40', '20-30', '10-20', '0-10']);
  });

  it('takes entries the fresh page covers from the fresh page (the newest entry grows; a name splits one)', () => {
    const loaded = [span(40, 48, 'newest'), span(20, 40), span(0, 20)];
    const fresh = [span(40, 52, 'newest'), span(30, 40, 'upper'), span(20, 30, 'lower')];
    const merged = withRefreshedFirstPage(loaded, fresh);
    expect(merged.map((r) => `${r.id}:${r.fromVersion}-${r.toVersion}`)).toEqual(['newest:40-52', 'upper:30-40', 'lower:20-30', '0-20:0-20']);
  });

  it('is the fresh page alone when nothing was loaded yet or the page is empty', () => {
    expect(withRefreshedFirstPage(null, [span(0, 3)])).toEqual([span(0, 3)]);
    expect(withRefreshedFirstPage([span(0, 3)], [])).toEqual([]);
  });
});

/**
 * The import graph of the repository, checked: no cycle between our files (type-only imports and
 * `import('…')` types included), and every import goes down the layers of ARCHITECTURE.md's
 * picture. `npx tsx scripts/check-imports.ts` prints what is wrong (exit 1) and, with `--arrows`,
 * the folder arrows that ARCHITECTURE.md lists; tests/unit/import-graph.test.ts runs the same
 * checks in `npm test`. Imports are read by TypeScript's own pre-processor (no dependency).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..');
const SKIP = /^(node_modules|\.next)\/|^lib\/db\/generated\//;

/**
 * The layers of ARCHITECTURE.md's picture, top to bottom. A file may import files of its own
 * folder and of any folder on a LOWER line; never one on its own line or above.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['server.ts', 'auth.ts', 'scripts', 'examples', 'tests'],
  ['bench'],
  ['lib/server'],
  ['graphql'],
  ['lib/documents', 'app'],
  // lib/search indexes documents' text and filters hits by role (lib/auth); the browser's API
  // client imports lib/auth's pure redirect check only (RULES).
  ['lib/search', 'lib/api-client'],
  ['lib/auth', 'lib/presence', 'lib/metrics'],
  ['lib/pubsub', 'lib/rate-limit', 'lib/db', 'lib/migrator', 'lib/export', 'lib/import', 'lib/embedded'],
  ['lib/collab'],
  ['lib/ot', 'lib/config.ts', 'lib/logger.ts'],
];

/** Imports the layers alone would allow but the house does not: [from, to, why]. */
export const RULES: ReadonlyArray<readonly [RegExp, RegExp, string]> = [
  [/^app\//, /^(?!app\/|lib\/(api-client|ot)\/|lib\/auth\/redirects\.ts$)/, 'app/ talks to the server over the API client only'],
  [/^lib\/api-client\//, /^(?!lib\/(api-client|collab|ot)\/|lib\/auth\/redirects\.ts$)/, 'the API client runs in the browser: lib/collab, lib/ot and the redirect check only'],
  [/^lib\/collab\//, /^(?!lib\/(collab|ot)\/)/, 'lib/collab imports only lib/ot'],
  [/^lib\/ot\//, /^(?!lib\/ot\/)/, 'lib/ot imports nothing of ours'],
];

export function importGraph(root = ROOT): Map<string, Set<string>> {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx'], { cwd: root, encoding: 'utf8' })
    .split('\n').filter((f) => f && !SKIP.test(f) && existsSync(path.join(root, f)));
  const known = new Set(files);
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const targets = new Set<string>();
    for (const { fileName } of ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true).importedFiles) {
      const spec = fileName.startsWith('@/') ? fileName.slice(2) : fileName.startsWith('.') ? path.posix.join(path.posix.dirname(file), fileName) : null;
      if (spec === null) continue;
      const hit = [spec, `${spec}.ts`, `${spec}.tsx`, `${spec}/index.ts`].find((c) => known.has(c));
      if (hit) targets.add(hit);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Every strongly connected component of more than one file (or a file importing itself). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next); low.set(v, next++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); part.push(w); } while (w !== v);
      if (part.length > 1 || graph.get(v)?.has(v)) out.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The folder of a file as the layers see it: lib/<name>, or the top-level folder, or the root file. */
const folderOf = (f: string) => (f.startsWith('lib/') ? f.split('/').slice(0, 2).join('/') : f.includes('/') ? f.split('/')[0]! : f);

const layerOf = (folder: string) => LAYERS.findIndex((line) => line.includes(folder));

export function problems(graph = importGraph()): string[] {
  const found = cycles(graph).map((part) => `cycle: ${part.join(' <-> ')}`);
  for (const [from, tos] of graph) {
    for (const to of tos) {
      const [a, b] = [folderOf(from), folderOf(to)];
      if (a === b || a === 'tests') continue;
      if (layerOf(a) < 0 || layerOf(b) < 0) found.push(`unplaced: ${from} -> ${to} (add the folder to LAYERS)`);
      else if (layerOf(b) <= layerOf(a)) found.push(`upward: ${from} -> ${to} (${a} is not above ${b} in LAYERS)`);
      for (const [source, target, why] of RULES) if (source.test(from) && target.test(to)) found.push(`rule: ${from} -> ${to} (${why})`);
    }
  }
  return found;
}

/** Folder -> folders it imports (tools and tests left out): what ARCHITECTURE.md's arrows list. */
export function folderArrows(graph = importGraph()): Map<string, Set<string>> {
  const arrows = new Map<string, Set<string>>();
  for (const [from, tos] of graph) for (const to of tos) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a !== b && layerOf(a) > 1) (arrows.get(a) ?? arrows.set(a, new Set()).get(a)!).add(b);
  }
  return arrows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = importGraph();
  const found = problems(graph);
  const edges = [...graph.values()].reduce((n, s) => n + s.size, 0);
  console.log(`${graph.size} files, ${edges} imports: ${found.length === 0 ? 'no cycles, no rule broken' : `${found.length} problem(s)`}`);
  for (const line of found) console.log(`  ${line}`);
  if (process.argv.includes('--arrows')) for (const [a, bs] of [...folderArrows(graph)].sort()) console.log(`${a} -> ${[...bs].sort().join(', ')}`);
  process.exitCode = found.length === 0 ? 0 : 1;
}

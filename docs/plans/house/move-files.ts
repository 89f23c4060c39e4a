/**
 * Moves files with `git mv` and rewrites every relative or `@/` import of them (and the moved
 * files' own relative imports). Usage: npx tsx move-files.ts MAP.tsv   (lines: old<TAB>new)
 * Run from the repository root; prints each rewritten file. Import specifiers keep their style
 * (`@/…` stays `@/…`; relative stays relative, with the `.ts`/`.tsx` extension as written).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const map = new Map<string, string>(
  readFileSync(process.argv[2]!, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split('\t') as [string, string]),
);
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.mts'], { encoding: 'utf8' })
  .split('\n').filter((f) => f && !f.startsWith('node_modules/'));
const known = new Set(files);
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bexport\s*\*\s*from\s*)(['"])([^'"]+)\2/g;

const resolveSpec = (from: string, spec: string): string | null => {
  const base = spec.startsWith('@/') ? spec.slice(2) : spec.startsWith('.') ? path.posix.join(path.posix.dirname(from), spec) : null;
  if (base === null) return null;
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => known.has(c)) ?? null;
};
const specFor = (from: string, target: string, old: string): string => {
  if (old.startsWith('@/')) return `@/${target}`;
  let rel = path.posix.relative(path.posix.dirname(from), target);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  // Keep the extension style of the original specifier.
  return /\.tsx?$/.test(old) ? rel : rel.replace(/\.tsx?$/, '');
};

for (const file of files) {
  const source = readFileSync(file, 'utf8');
  const newFile = map.get(file) ?? file;
  const out = source.replace(SPEC, (whole, lead: string, quote: string, spec: string) => {
    const target = resolveSpec(file, spec);
    if (target === null) return whole;
    const newTarget = map.get(target) ?? target;
    if (newTarget === target && newFile === file) return whole;
    return `${lead}${quote}${specFor(newFile, newTarget, spec)}${quote}`;
  });
  if (out !== source) {
    writeFileSync(file, out);
    console.log(`rewrote ${file}`);
  }
}
for (const [from, to] of map) {
  mkdirSync(path.dirname(to), { recursive: true });
  execFileSync('git', ['mv', from, to]);
  console.log(`moved ${from} -> ${to}`);
}

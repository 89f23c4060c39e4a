/**
 * `npx tsx bench/profile.ts <file.cpuprofile>… [--top=25] [--skip-seconds=0]`: summarises V8 CPU profiles (what
 * `npm run bench -- --server-node-args="--cpu-prof --cpu-prof-dir=<dir>"` writes, one per
 * instance): self time by function and by area (the repository's folders, node_modules packages,
 * Node internals, GC, idle), as Markdown.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/cluster.ts';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Which part of the system a frame's code belongs to. */
export function areaOf(url: string, functionName: string): string {
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)') return '(program: native, not attributed)';
  if (!url) return '(native / V8 builtins)';
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = file.slice(modules + '/node_modules/'.length).split('/');
    return `node_modules/${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (file.startsWith('node:')) return `node:${file.slice(5).split('/')[0]}`;
  const rel = path.relative(ROOT, file);
  if (rel.startsWith('..')) return file;
  const parts = rel.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : rel;
}

const inRepo = (url: string) => url.startsWith(`file://${ROOT}/`) && !url.includes('/node_modules/');

/**
 * Self time by function and by area, and by the nearest caller in the repository's own code (so
 * a `writev` or a JSON.stringify is charged to the Verso function that led to it). Samples in the
 * first `skipSeconds` of each profile (start-up: module loading, migrations) are left out.
 */
export function summarise(profiles: readonly Profile[], skipSeconds = 0): { total: number; byFunction: Map<string, number>; byArea: Map<string, number>; byRepoCaller: Map<string, number> } {
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const byRepoCaller = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const callerKey = new Map<number, string>();
    const repoCaller = (id: number): string => {
      const known = callerKey.get(id);
      if (known !== undefined) return known;
      const node = nodes.get(id);
      let key = '(no Verso frame on the stack)';
      if (node && inRepo(node.callFrame.url)) key = `${node.callFrame.functionName || '(anonymous)'} ${path.relative(ROOT, node.callFrame.url.slice(7))}:${node.callFrame.lineNumber + 1}`;
      else if (parent.has(id)) key = repoCaller(parent.get(id)!);
      callerKey.set(id, key);
      return key;
    };
    let at = profile.startTime;
    const from = profile.startTime + skipSeconds * 1e6;
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id);
      const dt = profile.timeDeltas[i] ?? 0;
      at += dt;
      if (!node || dt <= 0 || at < from) return;
      const { functionName, url, lineNumber } = node.callFrame;
      const area = areaOf(url, functionName);
      const file = url ? path.relative(ROOT, url.replace(/^file:\/\//, '')) : '';
      const key = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
      byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
      byArea.set(area, (byArea.get(area) ?? 0) + dt);
      if (functionName !== '(idle)') byRepoCaller.set(repoCaller(id), (byRepoCaller.get(repoCaller(id)) ?? 0) + dt);
      total += dt;
    });
  }
  return { total, byFunction, byArea, byRepoCaller };
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, 'skip-seconds': { type: 'string', default: '0' } } });
  const profiles = positionals.map((file) => JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const { total, byFunction, byArea, byRepoCaller } = summarise(profiles, Number(values['skip-seconds']));
  const busy = total - (byArea.get('(idle)') ?? 0);
  const row = (name: string, us: number) => `| ${name} | ${(us / 1000).toFixed(0)} | ${((100 * us) / busy).toFixed(1)} % |`;
  const sorted = (m: Map<string, number>) => [...m.entries()].filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
  console.log(`${profiles.length} profile(s), ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)\n`);
  console.log('| area | self ms | share |\n| --- | ---: | ---: |');
  for (const [area, us] of sorted(byArea)) if (us / busy >= 0.005) console.log(row(area, us));
  console.log('\n| function | self ms | share |\n| --- | ---: | ---: |');
  for (const [fn, us] of sorted(byFunction).slice(0, Number(values.top))) console.log(row(fn.replace(/\|/g, '\\|'), us));
  console.log('\n| nearest Verso caller (self time of everything under it that is not Verso code of its own) | ms | share |\n| --- | ---: | ---: |');
  for (const [fn, us] of sorted(byRepoCaller).slice(0, Number(values.top))) console.log(row(fn.replace(/\|/g, '\\|'), us));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();

/**
 * Issue 19 item 5: which Node versions Verso supports, kept true. `package.json` engines must be
 * within what every installed runtime dependency declares; on the running Node, the only
 * packages that declare they need a newer one are the known ones below, each with where it runs
 * (so a new one fails this test until someone checks it and says so in the README).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// semver is npm's own range logic (installed with next, prisma and others).
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  subset(sub: string, sup: string): boolean;
};

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string }; dev?: boolean; devOptional?: boolean; optional?: boolean }>;
};

/** Installed packages (optional ones for other platforms are not) with a Node range. */
const installed = Object.entries(lock.packages)
  .filter(([where, p]) => where !== '' && typeof p.engines?.node === 'string' && existsSync(path.join(root, where)))
  .map(([where, p]) => ({ where, name: where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length), range: p.engines!.node!, runtime: !p.dev && !p.devOptional }));

/** Declare Node ≥ 22 and run on Node 20 (README, "Node versions"): where each one runs. */
const DECLARE_NODE_22: Record<string, string> = {
  '@whatwg-node/promise-helpers': 'runtime helper of @graphql-tools/utils under @apollo/server: every GraphQL request of the test suite',
  '@whatwg-node/fetch': "graphql-codegen's URL schema loaders (Verso's codegen reads a file): loaded by tests/unit/client-codegen.test.ts",
  '@whatwg-node/node-fetch': 'the same loaders',
  '@whatwg-node/disposablestack': 'the same loaders and @graphql-tools/executor (codegen only)',
  'sync-fetch': 'the same loaders (codegen only)',
  listr2: "graphql-codegen's progress output: tests/unit/client-codegen.test.ts runs the generator",
  '@prisma/streams-local': '`prisma dev` only (a local Prisma Postgres), which Verso never runs',
};

describe('Node versions', () => {
  it('package.json engines is within what every runtime dependency declares', () => {
    for (const p of installed.filter((p) => p.runtime && !(p.name in DECLARE_NODE_22))) {
      expect(semver.subset(pkg.engines.node, p.range), `${p.where} wants node ${p.range}`).toBe(true);
    }
  });

  it('the running Node satisfies package.json engines', () => {
    expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  });

  it('on this Node, only the known packages declare a newer Node (and nothing does from 22.15 or 24 on)', () => {
    const unsatisfied = (version: string) => [...new Set(installed.filter((p) => !semver.satisfies(version, p.range)).map((p) => p.name))].sort();
    for (const name of unsatisfied(process.versions.node)) expect(DECLARE_NODE_22, `${name}: check that it runs on Node ${process.versions.node}, then list it`).toHaveProperty([name]);
    expect(unsatisfied('22.15.0')).toEqual([]);
    expect(unsatisfied('24.0.0')).toEqual([]);
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { codegenConfig } from '../../codegen.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('typed GraphQL operations (lib/api-client/gql)', () => {
  it('are what `npm run codegen` generates from schema.graphql and the documents (run it after changing either)', async () => {
    const outputs = (await generate({ ...codegenConfig, cwd: root }, false)) as Array<{ filename: string; content: string }>;
    const generated = new Map(outputs.map((o) => [path.resolve(root, o.filename), o.content]));
    const onDisk = readdirSync(path.join(root, 'lib/api-client/gql')).map((f) => path.join(root, 'lib/api-client/gql', f));
    expect([...generated.keys()].sort()).toEqual(onDisk.sort());
    for (const [file, content] of generated) expect(readFileSync(file, 'utf8'), path.relative(root, file)).toBe(content);
  });
});

import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_ALIASES, MAX_DEPTH, validateOperation } from '../../graphql/validation.ts';

// A schema with a recursive field, so depth can be reached by valid queries.
const schema = buildSchema(`
  type Node { id: ID! child: Node name: String }
  type Query { node: Node me: Node }
`);

const chain = (depth: number) => {
  let selection = 'id';
  for (let i = 0; i < depth - 1; i += 1) selection = `child { ${selection} }`;
  return selection;
};

describe('depth limit', () => {
  it(`accepts ${MAX_DEPTH} levels and refuses ${MAX_DEPTH + 1}, with a message saying what to do`, () => {
    expect(validateOperation(schema, `{ node { ${chain(MAX_DEPTH - 1)} } }`, false)).toMatchObject({ ok: true });
    const refused = validateOperation(schema, `{ node { ${chain(MAX_DEPTH)} } }`, false);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.errors[0]?.message).toBe(`Query is nested too deeply (${MAX_DEPTH + 1} levels, at most ${MAX_DEPTH}); split it into smaller queries.`);
  });

  it('follows fragments and inline fragments, and ignores introspection fields', () => {
    const viaFragments = `{ node { ...A } } fragment A on Node { child { ... on Node { ...B } } } fragment B on Node { ${chain(MAX_DEPTH - 1)} }`;
    expect(validateOperation(schema, viaFragments, false).ok).toBe(false);
    expect(validateOperation(schema, '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }', false).ok).toBe(true);
  });

  it('is not fooled into looping by fragment cycles (reported by the standard rule instead)', () => {
    const cyclic = validateOperation(schema, '{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }', false);
    expect(cyclic.ok).toBe(false);
    expect(!cyclic.ok && cyclic.errors.some((e) => /Cannot spread fragment/.test(e.message))).toBe(true);
  });
});

describe('alias limit', () => {
  it(`accepts ${MAX_ALIASES} aliases and refuses more`, () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    expect(validateOperation(schema, aliases(MAX_ALIASES), false).ok).toBe(true);
    const refused = validateOperation(schema, aliases(MAX_ALIASES + 1), false);
    expect(!refused.ok && refused.errors.map((e) => e.message)).toEqual([`Too many aliases (more than ${MAX_ALIASES}) in one request; send several requests instead.`]);
  });
});

describe('WebSocket validation in production', () => {
  it('refuses introspection and strips field suggestions', () => {
    const introspection = validateOperation(schema, '{ __schema { queryType { name } } }', true);
    expect(introspection.ok).toBe(false);
    const typo = validateOperation(schema, '{ nod { id } }', true);
    expect(!typo.ok && typo.errors[0]?.message).toBe('Cannot query field "nod" on type "Query".');
    const typoDev = validateOperation(schema, '{ nod { id } }', false);
    expect(!typoDev.ok && typoDev.errors[0]?.message).toMatch(/Did you mean "node"\?/);
  });

  it('refuses unparseable and oversized documents with a parse error', () => {
    expect(validateOperation(schema, '{ node {', false)).toMatchObject({ ok: false });
    const huge = `{ ${'me { id } '.repeat(3000)} }`;
    const result = validateOperation(schema, huge, false);
    expect(!result.ok && result.errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

/**
 * The code-first schema builder (Pothos): resolvers are type-checked against the schema they
 * produce, and `schema.graphql` is printed from it (see scripts/print-schema.ts).
 */
import SchemaBuilder from '@pothos/core';
import type { GraphQLContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date };
  };
}>({
  defaultFieldNullability: false,
});

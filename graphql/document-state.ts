/**
 * Document content for resolvers (lib/documents/reads.ts): `version` and `content` of one Document
 * come from the same load, so a client never sees a version that does not match the content next to it.
 */
import type { DocumentState } from '../lib/documents/reads.ts';
import type { Delta } from '../lib/ot/operation.ts';
import type { GraphQLContext } from './context.ts';
import { orThrow } from './errors.ts';

/** The document at head, loaded at most once per request. */
export async function headState(ctx: GraphQLContext, documentId: string): Promise<DocumentState> {
  return orThrow(await ctx.services.reads.head(ctx, documentId)).state;
}

/** The document after `version` ops; errors name the valid range. */
export async function stateAt(ctx: GraphQLContext, documentId: string, version: number): Promise<DocumentState> {
  return orThrow(await ctx.services.reads.at(documentId, version)).state;
}

/** A Delta as the API's JSON: `{ "ops": [...] }`. */
export const deltaJson = (delta: Delta): { ops: Delta['ops'] } => ({ ops: delta.ops });

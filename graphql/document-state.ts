/**
 * Per-request access to document content: `version` and `content` of one Document come from the
 * same load, so a client never sees a version that does not match the content next to it.
 */
import { contentAtHead, documentAt, type DocumentState } from '../lib/collab/document-loader.ts';
import type { Delta } from '../lib/ot/operation.ts';
import type { GraphQLContext } from './context.ts';
import { userError } from './errors.ts';

const heads = new WeakMap<GraphQLContext, Map<string, Promise<DocumentState>>>();

/** The document at head, loaded at most once per request. */
export function headState(ctx: GraphQLContext, documentId: string): Promise<DocumentState> {
  let perRequest = heads.get(ctx);
  if (!perRequest) heads.set(ctx, (perRequest = new Map()));
  let state = perRequest.get(documentId);
  if (!state) {
    state = ctx.services.collab.store.head(documentId).then((head) => {
      if (!head) throw userError('NOT_FOUND', `Document ${documentId} no longer exists.`);
      return contentAtHead(head);
    });
    perRequest.set(documentId, state);
  }
  return state;
}

/** The document after `version` ops; errors name the valid range. */
export async function stateAt(ctx: GraphQLContext, documentId: string, version: number): Promise<DocumentState> {
  const result = await documentAt(ctx.services.collab.store, documentId, version);
  if (result.kind === 'found') return result.state;
  throw userError(result.code, `${result.message} Ask for a version from 0 to the document's current version.`);
}

/** A Delta as the API's JSON: `{ "ops": [...] }`. */
export const deltaJson = (delta: Delta): { ops: Delta['ops'] } => ({ ops: delta.ops });

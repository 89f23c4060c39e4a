/**
 * Document content for a request: `version` and `content` of one document come from the same
 * load, so a client never sees a version that does not match the content next to it.
 */
import { contentAtHead, documentAt, type DocumentState } from '../collab/document-loader.ts';
import type { OpStore } from '../collab/op-store.ts';
import { rejected, type Rejected, type RequestScope } from './types.ts';

export type { DocumentState };

export interface Found {
  readonly kind: 'found';
  readonly state: DocumentState;
}

export interface DocumentReads {
  /** The document at head, loaded at most once per request (`scope` is the request). */
  head(scope: RequestScope, documentId: string): Promise<Found | Rejected>;
  /** The document after `version` ops; refusals name the valid range. */
  at(documentId: string, version: number): Promise<Found | Rejected>;
}

export function createDocumentReads(store: OpStore): DocumentReads {
  const heads = new WeakMap<RequestScope, Map<string, Promise<Found | Rejected>>>();
  return {
    head(scope, documentId) {
      let perRequest = heads.get(scope);
      if (!perRequest) heads.set(scope, (perRequest = new Map()));
      let state = perRequest.get(documentId);
      if (!state) {
        state = store.head(documentId).then((head) => (head ? { kind: 'found', state: contentAtHead(head) } : rejected('NOT_FOUND', `Document ${documentId} no longer exists.`)));
        perRequest.set(documentId, state);
      }
      return state;
    },
    async at(documentId, version) {
      const result = await documentAt(store, documentId, version);
      if (result.kind === 'found') return result;
      return rejected(result.code, `${result.message} Ask for a version from 0 to the document's current version.`);
    },
  };
}

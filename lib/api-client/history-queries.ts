/**
 * History panel operations (revisions, preview of a version with its changes, naming, restoring),
 * as typed documents generated from the committed schema.graphql (`npm run codegen`).
 */
import { graphql } from './gql/index.ts';

export const REVISIONS = graphql(`
  query Revisions($id: ID!, $first: Int, $after: String) {
    document(id: $id) {
      id
      version
      revisions(first: $first, after: $after) {
        edges {
          node {
            id
            fromVersion
            toVersion
            startedAt
            createdAt
            name
            restore {
              version
            }
            authors {
              id
              name
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const REVISION_PREVIEW = graphql(`
  query RevisionPreview($id: ID!, $fromVersion: Int!, $toVersion: Int!) {
    document(id: $id) {
      id
      at(version: $fromVersion) {
        version
        content
      }
      diff(fromVersion: $fromVersion, toVersion: $toVersion)
    }
  }
`);

export const NAME_VERSION = graphql(`
  mutation NameVersion($documentId: ID!, $version: Int!, $name: String!) {
    nameVersion(documentId: $documentId, version: $version, name: $name) {
      id
      name
      toVersion
    }
  }
`);

export const RESTORE_VERSION = graphql(`
  mutation RestoreVersion($documentId: ID!, $version: Int!) {
    restoreVersion(documentId: $documentId, version: $version) {
      version
      duplicate
    }
  }
`);

/** The versions the document reaches, live: the history panel reloads its list as they come. */
export const HISTORY_VERSIONS = graphql(`
  subscription HistoryVersions($documentId: ID!, $fromVersion: Int!) {
    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {
      operations {
        version
      }
    }
  }
`);

/**
 * The history list after a live refresh of its first page (newest first): the fresh page, then
 * the entries of pages loaded earlier with "More" that are older than all of it, so following the
 * document live never drops what the person paged to. Entries the fresh page covers (the newest
 * one growing, a split by a new name) come from the fresh page.
 */
export function withRefreshedFirstPage<R extends { readonly fromVersion: number; readonly toVersion: number }>(
  loaded: readonly R[] | null,
  firstPage: readonly R[],
): R[] {
  const oldest = firstPage[firstPage.length - 1];
  if (!loaded || oldest === undefined) return [...firstPage];
  return [...firstPage, ...loaded.filter((r) => r.toVersion <= oldest.fromVersion)];
}

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

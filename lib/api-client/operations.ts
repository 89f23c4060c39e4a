/**
 * The GraphQL operations a collaborating client uses, as typed documents generated from the
 * committed schema.graphql (`npm run codegen`; tests/unit/client-codegen.test.ts fails when the
 * generated types are stale or a document no longer matches the schema).
 */
import { graphql } from './gql/index.ts';

export const OPEN_DOCUMENT = graphql(`
  query OpenDocument($id: ID!) {
    document(id: $id) {
      id
      title
      version
      content
      myRole
    }
  }
`);

export const SUBMIT_OPERATION = graphql(`
  mutation SubmitOperation($input: SubmitOperationInput!) {
    submitOperation(input: $input) {
      version
      delta
      duplicate
    }
  }
`);

/** The op stream, in batches of consecutive ops (one event per batch, not per op). */
export const DOCUMENT_OPERATION_BATCHES = graphql(`
  subscription DocumentOperationBatches($documentId: ID!, $fromVersion: Int!) {
    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {
      operations {
        version
        delta
        clientId
        clientSeq
        author {
          id
          name
        }
      }
    }
  }
`);

export const UPDATE_PRESENCE = graphql(`
  mutation UpdatePresence($documentId: ID!, $clientId: String!, $selection: JSON) {
    updatePresence(documentId: $documentId, clientId: $clientId, selection: $selection)
  }
`);

export const LEAVE_PRESENCE = graphql(`
  mutation LeavePresence($documentId: ID!, $clientId: String!) {
    leavePresence(documentId: $documentId, clientId: $clientId)
  }
`);

export const PRESENCE = graphql(`
  subscription Presence($documentId: ID!) {
    presence(documentId: $documentId) {
      clientId
      selection
      left
      user {
        id
        name
      }
    }
  }
`);

/** The viewer's role on the document, live: the current one first, then each change. */
export const MY_DOCUMENT_ROLE = graphql(`
  subscription MyDocumentRole($documentId: ID!) {
    myDocumentRole(documentId: $documentId)
  }
`);

/**
 * One page of applied ops after `fromVersion`, ascending: how a session catches up when the
 * server refused its in-flight op as too far behind (VERSION_TOO_OLD, rule PL8).
 */
export const DOCUMENT_OPERATIONS = graphql(`
  query DocumentOperations($id: ID!, $fromVersion: Int!, $first: Int!) {
    document(id: $id) {
      id
      operations(fromVersion: $fromVersion, first: $first) {
        version
        delta
        clientId
        clientSeq
      }
    }
  }
`);

export const SUGGEST_OPERATION = graphql(`
  mutation SuggestOperation($input: SubmitOperationInput!) {
    suggestOperation(input: $input) {
      version
      delta
      duplicate
    }
  }
`);

export const ACCEPT_SUGGESTION = graphql(`
  mutation AcceptSuggestion($documentId: ID!, $suggestionId: ID!) {
    acceptSuggestion(documentId: $documentId, suggestionId: $suggestionId) {
      version
    }
  }
`);

export const REJECT_SUGGESTION = graphql(`
  mutation RejectSuggestion($documentId: ID!, $suggestionId: ID!) {
    rejectSuggestion(documentId: $documentId, suggestionId: $suggestionId) {
      version
    }
  }
`);

export const DOCUMENT_SUGGESTIONS = graphql(`
  query DocumentSuggestions($id: ID!) {
    document(id: $id) {
      id
      suggestions {
        id
        author {
          id
          name
        }
      }
    }
  }
`);

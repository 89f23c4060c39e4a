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

export const DOCUMENT_OPERATIONS = graphql(`
  subscription DocumentOperations($documentId: ID!, $fromVersion: Int!) {
    documentOperations(documentId: $documentId, fromVersion: $fromVersion) {
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

/**
 * The web app's GraphQL operations (accounts, documents, sharing, tokens), as typed documents
 * generated from the committed schema.graphql (`npm run codegen`).
 */
import { graphql } from './gql/index.ts';

export const ME = graphql(`
  query Me {
    me {
      id
      name
      email
    }
  }
`);

export const DOCUMENTS = graphql(`
  query Documents($first: Int, $after: String, $search: String, $filter: DocumentFilter) {
    documents(first: $first, after: $after, search: $search, filter: $filter) {
      edges {
        cursor
        node {
          id
          title
          myRole
          updatedAt
          trashedAt
        }
        snippet
        snippetHighlights {
          start
          length
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const CREATE_DOCUMENT = graphql(`
  mutation CreateDocument($title: String) {
    createDocument(title: $title) {
      id
      title
    }
  }
`);

export const RENAME_DOCUMENT = graphql(`
  mutation RenameDocument($id: ID!, $title: String!) {
    renameDocument(id: $id, title: $title) {
      id
      title
    }
  }
`);

export const MOVE_DOCUMENT_TO_TRASH = graphql(`
  mutation MoveDocumentToTrash($id: ID!) {
    moveDocumentToTrash(id: $id) {
      id
      trashedAt
    }
  }
`);

export const RESTORE_DOCUMENT_FROM_TRASH = graphql(`
  mutation RestoreDocumentFromTrash($id: ID!) {
    restoreDocumentFromTrash(id: $id) {
      id
      trashedAt
    }
  }
`);

export const API_TOKENS = graphql(`
  query ApiTokens {
    apiTokens {
      id
      name
      prefix
      createdAt
      lastUsedAt
      scopes
      expiresAt
    }
  }
`);

export const CREATE_API_TOKEN = graphql(`
  mutation CreateApiToken($name: String!, $scopes: [ApiTokenScope!], $expiresAt: DateTime) {
    createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
      token
      apiToken {
        id
        name
        prefix
        createdAt
        lastUsedAt
        scopes
        expiresAt
      }
    }
  }
`);

export const REVOKE_API_TOKEN = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`);

export const COLLABORATORS = graphql(`
  query Collaborators($documentId: ID!) {
    collaborators(documentId: $documentId) {
      role
      addedAt
      viaLink
      user {
        id
        name
        email
      }
    }
  }
`);

export const SHARE_DOCUMENT = graphql(`
  mutation ShareDocument($documentId: ID!, $email: String!, $role: Role!) {
    shareDocument(documentId: $documentId, email: $email, role: $role) {
      email
      role
    }
  }
`);

export const UPDATE_COLLABORATOR_ROLE = graphql(`
  mutation UpdateCollaboratorRole($documentId: ID!, $userId: ID!, $role: Role!) {
    updateCollaboratorRole(documentId: $documentId, userId: $userId, role: $role) {
      role
    }
  }
`);

export const REMOVE_COLLABORATOR = graphql(`
  mutation RemoveCollaborator($documentId: ID!, $userId: ID!) {
    removeCollaborator(documentId: $documentId, userId: $userId)
  }
`);

export const DOCUMENT_INVITATIONS = graphql(`
  query DocumentInvitations($documentId: ID!) {
    documentInvitations(documentId: $documentId) {
      email
      role
      createdAt
    }
  }
`);

export const CANCEL_INVITATION = graphql(`
  mutation CancelInvitation($documentId: ID!, $email: String!) {
    cancelInvitation(documentId: $documentId, email: $email)
  }
`);

export const LINK_SHARING = graphql(`
  query LinkSharing($id: ID!) {
    document(id: $id) {
      id
      linkSharing {
        role
        url
      }
    }
  }
`);

export const SET_LINK_SHARING = graphql(`
  mutation SetLinkSharing($documentId: ID!, $role: Role) {
    setLinkSharing(documentId: $documentId, role: $role) {
      id
      linkSharing {
        role
        url
      }
    }
  }
`);

export const RESET_SHARE_LINK = graphql(`
  mutation ResetShareLink($documentId: ID!) {
    resetShareLink(documentId: $documentId) {
      id
      linkSharing {
        role
        url
      }
    }
  }
`);

export const JOIN_SHARED_DOCUMENT = graphql(`
  mutation JoinSharedDocument($documentId: ID!, $secret: String!) {
    joinSharedDocument(documentId: $documentId, secret: $secret) {
      id
      myRole
    }
  }
`);

/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What an API token may do. Every token can READ; the others are granted when the token is created. */
export type ApiTokenScope =
  /** List, create and revoke API tokens. Grant it only to tools that manage tokens. */
  | 'ACCOUNT'
  /** Move documents to the trash and restore them. */
  | 'DELETE'
  /** Read documents, their history, collaborators and presence, and follow them live (always granted). */
  | 'READ'
  /** Invite people, change their roles and remove them, on documents the account owns. */
  | 'SHARE'
  /** Create documents, edit content, rename, name and restore versions. */
  | 'WRITE';

/** A new thread on a range of the document as seen at `version`. */
export type CreateCommentThreadInput = {
  /** The first comment: 1 to 10,000 characters after trimming. */
  body: string;
  /** The document. */
  documentId: string;
  /** Where the range starts (UTF-16 offset at `version`). */
  index: number;
  /** Its length, at least 1. */
  length: number;
  /** The version the range refers to (the one your editor has); ranges at older versions are carried to head. */
  version: number;
};

/** Which documents `documents` lists. */
export type DocumentFilter =
  /** Every document you can open (not in the trash). */
  | 'ALL'
  /** Documents you own. */
  | 'OWNED'
  /** Documents others shared with you ("shared with me"). */
  | 'SHARED'
  /** Documents you own that are in the trash. */
  | 'TRASH';

/** A person's role on one document. */
export type Role =
  /** Read, with live updates (comments are not available yet). */
  | 'COMMENTER'
  /** Read and edit content, rename, name and restore versions. */
  | 'EDITOR'
  /** Everything, including sharing, trashing and restoring from the trash. */
  | 'OWNER'
  /** Read only, with live updates. */
  | 'VIEWER';

/** An operation made against the document at `baseVersion`. */
export type SubmitOperationInput = {
  /** The head version the client had when it made the operation. */
  baseVersion: number;
  /** Stable per client session (e.g. a UUID per open editor), at most 64 characters. */
  clientId: string;
  /** 1, 2, 3… per clientId; (documentId, clientId, clientSeq) identifies the operation, so resubmitting is safe. */
  clientSeq: number;
  /** The change: a Delta of retain / insert / delete components. */
  delta: unknown;
  /** The document to change. */
  documentId: string;
};

export type CommentThreadsQueryVariables = Exact<{
  id: string;
}>;


export type CommentThreadsQuery = { document: { id: string, commentThreads: Array<{ id: string, quote: string, resolved: boolean, createdAt: string, anchor: { index: number, length: number, version: number } | null, comments: Array<{ id: string, body: string, createdAt: string, editedAt: string | null, author: { id: string, name: string | null } | null }> }> } | null };

export type CommentThreadFieldsFragment = { id: string, quote: string, resolved: boolean, createdAt: string, anchor: { index: number, length: number, version: number } | null, comments: Array<{ id: string, body: string, createdAt: string, editedAt: string | null, author: { id: string, name: string | null } | null }> };

export type CommentThreadChangedSubscriptionVariables = Exact<{
  documentId: string;
}>;


export type CommentThreadChangedSubscription = { commentThreadChanged: { id: string, quote: string, resolved: boolean, createdAt: string, anchor: { index: number, length: number, version: number } | null, comments: Array<{ id: string, body: string, createdAt: string, editedAt: string | null, author: { id: string, name: string | null } | null }> } };

export type CreateCommentThreadMutationVariables = Exact<{
  input: CreateCommentThreadInput;
}>;


export type CreateCommentThreadMutation = { createCommentThread: { id: string, quote: string, resolved: boolean, createdAt: string, anchor: { index: number, length: number, version: number } | null, comments: Array<{ id: string, body: string, createdAt: string, editedAt: string | null, author: { id: string, name: string | null } | null }> } };

export type ReplyToCommentThreadMutationVariables = Exact<{
  threadId: string;
  body: string;
}>;


export type ReplyToCommentThreadMutation = { replyToCommentThread: { id: string } };

export type ResolveCommentThreadMutationVariables = Exact<{
  threadId: string;
  resolved: boolean;
}>;


export type ResolveCommentThreadMutation = { resolveCommentThread: { id: string, quote: string, resolved: boolean, createdAt: string, anchor: { index: number, length: number, version: number } | null, comments: Array<{ id: string, body: string, createdAt: string, editedAt: string | null, author: { id: string, name: string | null } | null }> } };

export type EditCommentMutationVariables = Exact<{
  commentId: string;
  body: string;
}>;


export type EditCommentMutation = { editComment: { id: string } };

export type DeleteCommentMutationVariables = Exact<{
  commentId: string;
}>;


export type DeleteCommentMutation = { deleteComment: boolean };

export type RevisionsQueryVariables = Exact<{
  id: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type RevisionsQuery = { document: { id: string, version: number, revisions: { edges: Array<{ node: { id: string, fromVersion: number, toVersion: number, startedAt: string, createdAt: string, name: string | null, restore: { version: number | null } | null, authors: Array<{ id: string, name: string | null }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type RevisionPreviewQueryVariables = Exact<{
  id: string;
  fromVersion: number;
  toVersion: number;
}>;


export type RevisionPreviewQuery = { document: { id: string, diff: unknown, at: { version: number, content: unknown } } | null };

export type NameVersionMutationVariables = Exact<{
  documentId: string;
  version: number;
  name: string;
}>;


export type NameVersionMutation = { nameVersion: { id: string, name: string | null, toVersion: number } };

export type RestoreVersionMutationVariables = Exact<{
  documentId: string;
  version: number;
}>;


export type RestoreVersionMutation = { restoreVersion: { version: number, duplicate: boolean } };

export type HistoryVersionsSubscriptionVariables = Exact<{
  documentId: string;
  fromVersion: number;
}>;


export type HistoryVersionsSubscription = { documentOperationBatches: { operations: Array<{ version: number }> } };

export type OpenDocumentQueryVariables = Exact<{
  id: string;
}>;


export type OpenDocumentQuery = { document: { id: string, title: string, version: number, content: unknown, myRole: Role } | null };

export type SubmitOperationMutationVariables = Exact<{
  input: SubmitOperationInput;
}>;


export type SubmitOperationMutation = { submitOperation: { version: number, delta: unknown, duplicate: boolean } };

export type DocumentOperationBatchesSubscriptionVariables = Exact<{
  documentId: string;
  fromVersion: number;
}>;


export type DocumentOperationBatchesSubscription = { documentOperationBatches: { operations: Array<{ version: number, delta: unknown, clientId: string, clientSeq: number, author: { id: string, name: string | null } | null }> } };

export type UpdatePresenceMutationVariables = Exact<{
  documentId: string;
  clientId: string;
  selection?: unknown;
}>;


export type UpdatePresenceMutation = { updatePresence: boolean };

export type LeavePresenceMutationVariables = Exact<{
  documentId: string;
  clientId: string;
}>;


export type LeavePresenceMutation = { leavePresence: boolean };

export type PresenceSubscriptionVariables = Exact<{
  documentId: string;
}>;


export type PresenceSubscription = { presence: { clientId: string, selection: unknown, left: boolean, user: { id: string, name: string | null } } };

export type MyDocumentRoleSubscriptionVariables = Exact<{
  documentId: string;
}>;


export type MyDocumentRoleSubscription = { myDocumentRole: Role };

export type DocumentOperationsQueryVariables = Exact<{
  id: string;
  fromVersion: number;
  first: number;
}>;


export type DocumentOperationsQuery = { document: { id: string, operations: Array<{ version: number, delta: unknown, clientId: string, clientSeq: number }> } | null };

export type SuggestOperationMutationVariables = Exact<{
  input: SubmitOperationInput;
}>;


export type SuggestOperationMutation = { suggestOperation: { version: number, delta: unknown, duplicate: boolean } };

export type AcceptSuggestionMutationVariables = Exact<{
  documentId: string;
  suggestionId: string;
}>;


export type AcceptSuggestionMutation = { acceptSuggestion: { version: number } };

export type RejectSuggestionMutationVariables = Exact<{
  documentId: string;
  suggestionId: string;
}>;


export type RejectSuggestionMutation = { rejectSuggestion: { version: number } };

export type DocumentSuggestionsQueryVariables = Exact<{
  id: string;
}>;


export type DocumentSuggestionsQuery = { document: { id: string, suggestions: Array<{ id: string, author: { id: string, name: string | null } | null }> } | null };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { id: string, name: string | null, email: string | null } | null };

export type DocumentsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  search?: string | null | undefined;
  filter?: DocumentFilter | null | undefined;
}>;


export type DocumentsQuery = { documents: { edges: Array<{ cursor: string, snippet: string | null, node: { id: string, title: string, myRole: Role, updatedAt: string, trashedAt: string | null }, snippetHighlights: Array<{ start: number, length: number }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateDocumentMutationVariables = Exact<{
  title?: string | null | undefined;
}>;


export type CreateDocumentMutation = { createDocument: { id: string, title: string } };

export type RenameDocumentMutationVariables = Exact<{
  id: string;
  title: string;
}>;


export type RenameDocumentMutation = { renameDocument: { id: string, title: string } };

export type MoveDocumentToTrashMutationVariables = Exact<{
  id: string;
}>;


export type MoveDocumentToTrashMutation = { moveDocumentToTrash: { id: string, trashedAt: string | null } };

export type RestoreDocumentFromTrashMutationVariables = Exact<{
  id: string;
}>;


export type RestoreDocumentFromTrashMutation = { restoreDocumentFromTrash: { id: string, trashedAt: string | null } };

export type ApiTokensQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiTokensQuery = { apiTokens: Array<{ id: string, name: string, prefix: string, createdAt: string, lastUsedAt: string | null, scopes: Array<ApiTokenScope>, expiresAt: string | null }> };

export type CreateApiTokenMutationVariables = Exact<{
  name: string;
  scopes?: Array<ApiTokenScope> | ApiTokenScope | null | undefined;
  expiresAt?: string | null | undefined;
}>;


export type CreateApiTokenMutation = { createApiToken: { token: string, apiToken: { id: string, name: string, prefix: string, createdAt: string, lastUsedAt: string | null, scopes: Array<ApiTokenScope>, expiresAt: string | null } } };

export type RevokeApiTokenMutationVariables = Exact<{
  id: string;
}>;


export type RevokeApiTokenMutation = { revokeApiToken: boolean };

export type CollaboratorsQueryVariables = Exact<{
  documentId: string;
}>;


export type CollaboratorsQuery = { collaborators: Array<{ role: Role, addedAt: string, viaLink: boolean, user: { id: string, name: string | null, email: string | null } }> };

export type ShareDocumentMutationVariables = Exact<{
  documentId: string;
  email: string;
  role: Role;
}>;


export type ShareDocumentMutation = { shareDocument: { email: string, role: Role } };

export type UpdateCollaboratorRoleMutationVariables = Exact<{
  documentId: string;
  userId: string;
  role: Role;
}>;


export type UpdateCollaboratorRoleMutation = { updateCollaboratorRole: { role: Role } };

export type RemoveCollaboratorMutationVariables = Exact<{
  documentId: string;
  userId: string;
}>;


export type RemoveCollaboratorMutation = { removeCollaborator: boolean };

export type DocumentInvitationsQueryVariables = Exact<{
  documentId: string;
}>;


export type DocumentInvitationsQuery = { documentInvitations: Array<{ email: string, role: Role, createdAt: string }> };

export type CancelInvitationMutationVariables = Exact<{
  documentId: string;
  email: string;
}>;


export type CancelInvitationMutation = { cancelInvitation: boolean };

export type LinkSharingQueryVariables = Exact<{
  id: string;
}>;


export type LinkSharingQuery = { document: { id: string, linkSharing: { role: Role, url: string } | null } | null };

export type SetLinkSharingMutationVariables = Exact<{
  documentId: string;
  role?: Role | null | undefined;
}>;


export type SetLinkSharingMutation = { setLinkSharing: { id: string, linkSharing: { role: Role, url: string } | null } };

export type ResetShareLinkMutationVariables = Exact<{
  documentId: string;
}>;


export type ResetShareLinkMutation = { resetShareLink: { id: string, linkSharing: { role: Role, url: string } | null } };

export type JoinSharedDocumentMutationVariables = Exact<{
  documentId: string;
  secret: string;
}>;


export type JoinSharedDocumentMutation = { joinSharedDocument: { id: string, myRole: Role } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CommentThreadFieldsFragmentDoc = new TypedDocumentString(`
    fragment CommentThreadFields on CommentThread {
  id
  quote
  resolved
  createdAt
  anchor {
    index
    length
    version
  }
  comments {
    id
    body
    createdAt
    editedAt
    author {
      id
      name
    }
  }
}
    `, {"fragmentName":"CommentThreadFields"}) as unknown as TypedDocumentString<CommentThreadFieldsFragment, unknown>;
export const CommentThreadsDocument = new TypedDocumentString(`
    query CommentThreads($id: ID!) {
  document(id: $id) {
    id
    commentThreads(includeResolved: true) {
      ...CommentThreadFields
    }
  }
}
    fragment CommentThreadFields on CommentThread {
  id
  quote
  resolved
  createdAt
  anchor {
    index
    length
    version
  }
  comments {
    id
    body
    createdAt
    editedAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<CommentThreadsQuery, CommentThreadsQueryVariables>;
export const CommentThreadChangedDocument = new TypedDocumentString(`
    subscription CommentThreadChanged($documentId: ID!) {
  commentThreadChanged(documentId: $documentId) {
    ...CommentThreadFields
  }
}
    fragment CommentThreadFields on CommentThread {
  id
  quote
  resolved
  createdAt
  anchor {
    index
    length
    version
  }
  comments {
    id
    body
    createdAt
    editedAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<CommentThreadChangedSubscription, CommentThreadChangedSubscriptionVariables>;
export const CreateCommentThreadDocument = new TypedDocumentString(`
    mutation CreateCommentThread($input: CreateCommentThreadInput!) {
  createCommentThread(input: $input) {
    ...CommentThreadFields
  }
}
    fragment CommentThreadFields on CommentThread {
  id
  quote
  resolved
  createdAt
  anchor {
    index
    length
    version
  }
  comments {
    id
    body
    createdAt
    editedAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<CreateCommentThreadMutation, CreateCommentThreadMutationVariables>;
export const ReplyToCommentThreadDocument = new TypedDocumentString(`
    mutation ReplyToCommentThread($threadId: ID!, $body: String!) {
  replyToCommentThread(threadId: $threadId, body: $body) {
    id
  }
}
    `) as unknown as TypedDocumentString<ReplyToCommentThreadMutation, ReplyToCommentThreadMutationVariables>;
export const ResolveCommentThreadDocument = new TypedDocumentString(`
    mutation ResolveCommentThread($threadId: ID!, $resolved: Boolean!) {
  resolveCommentThread(threadId: $threadId, resolved: $resolved) {
    ...CommentThreadFields
  }
}
    fragment CommentThreadFields on CommentThread {
  id
  quote
  resolved
  createdAt
  anchor {
    index
    length
    version
  }
  comments {
    id
    body
    createdAt
    editedAt
    author {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<ResolveCommentThreadMutation, ResolveCommentThreadMutationVariables>;
export const EditCommentDocument = new TypedDocumentString(`
    mutation EditComment($commentId: ID!, $body: String!) {
  editComment(commentId: $commentId, body: $body) {
    id
  }
}
    `) as unknown as TypedDocumentString<EditCommentMutation, EditCommentMutationVariables>;
export const DeleteCommentDocument = new TypedDocumentString(`
    mutation DeleteComment($commentId: ID!) {
  deleteComment(commentId: $commentId)
}
    `) as unknown as TypedDocumentString<DeleteCommentMutation, DeleteCommentMutationVariables>;
export const RevisionsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<RevisionsQuery, RevisionsQueryVariables>;
export const RevisionPreviewDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<RevisionPreviewQuery, RevisionPreviewQueryVariables>;
export const NameVersionDocument = new TypedDocumentString(`
    mutation NameVersion($documentId: ID!, $version: Int!, $name: String!) {
  nameVersion(documentId: $documentId, version: $version, name: $name) {
    id
    name
    toVersion
  }
}
    `) as unknown as TypedDocumentString<NameVersionMutation, NameVersionMutationVariables>;
export const RestoreVersionDocument = new TypedDocumentString(`
    mutation RestoreVersion($documentId: ID!, $version: Int!) {
  restoreVersion(documentId: $documentId, version: $version) {
    version
    duplicate
  }
}
    `) as unknown as TypedDocumentString<RestoreVersionMutation, RestoreVersionMutationVariables>;
export const HistoryVersionsDocument = new TypedDocumentString(`
    subscription HistoryVersions($documentId: ID!, $fromVersion: Int!) {
  documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {
    operations {
      version
    }
  }
}
    `) as unknown as TypedDocumentString<HistoryVersionsSubscription, HistoryVersionsSubscriptionVariables>;
export const OpenDocumentDocument = new TypedDocumentString(`
    query OpenDocument($id: ID!) {
  document(id: $id) {
    id
    title
    version
    content
    myRole
  }
}
    `) as unknown as TypedDocumentString<OpenDocumentQuery, OpenDocumentQueryVariables>;
export const SubmitOperationDocument = new TypedDocumentString(`
    mutation SubmitOperation($input: SubmitOperationInput!) {
  submitOperation(input: $input) {
    version
    delta
    duplicate
  }
}
    `) as unknown as TypedDocumentString<SubmitOperationMutation, SubmitOperationMutationVariables>;
export const DocumentOperationBatchesDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<DocumentOperationBatchesSubscription, DocumentOperationBatchesSubscriptionVariables>;
export const UpdatePresenceDocument = new TypedDocumentString(`
    mutation UpdatePresence($documentId: ID!, $clientId: String!, $selection: JSON) {
  updatePresence(
    documentId: $documentId
    clientId: $clientId
    selection: $selection
  )
}
    `) as unknown as TypedDocumentString<UpdatePresenceMutation, UpdatePresenceMutationVariables>;
export const LeavePresenceDocument = new TypedDocumentString(`
    mutation LeavePresence($documentId: ID!, $clientId: String!) {
  leavePresence(documentId: $documentId, clientId: $clientId)
}
    `) as unknown as TypedDocumentString<LeavePresenceMutation, LeavePresenceMutationVariables>;
export const PresenceDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<PresenceSubscription, PresenceSubscriptionVariables>;
export const MyDocumentRoleDocument = new TypedDocumentString(`
    subscription MyDocumentRole($documentId: ID!) {
  myDocumentRole(documentId: $documentId)
}
    `) as unknown as TypedDocumentString<MyDocumentRoleSubscription, MyDocumentRoleSubscriptionVariables>;
export const DocumentOperationsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<DocumentOperationsQuery, DocumentOperationsQueryVariables>;
export const SuggestOperationDocument = new TypedDocumentString(`
    mutation SuggestOperation($input: SubmitOperationInput!) {
  suggestOperation(input: $input) {
    version
    delta
    duplicate
  }
}
    `) as unknown as TypedDocumentString<SuggestOperationMutation, SuggestOperationMutationVariables>;
export const AcceptSuggestionDocument = new TypedDocumentString(`
    mutation AcceptSuggestion($documentId: ID!, $suggestionId: ID!) {
  acceptSuggestion(documentId: $documentId, suggestionId: $suggestionId) {
    version
  }
}
    `) as unknown as TypedDocumentString<AcceptSuggestionMutation, AcceptSuggestionMutationVariables>;
export const RejectSuggestionDocument = new TypedDocumentString(`
    mutation RejectSuggestion($documentId: ID!, $suggestionId: ID!) {
  rejectSuggestion(documentId: $documentId, suggestionId: $suggestionId) {
    version
  }
}
    `) as unknown as TypedDocumentString<RejectSuggestionMutation, RejectSuggestionMutationVariables>;
export const DocumentSuggestionsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<DocumentSuggestionsQuery, DocumentSuggestionsQueryVariables>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    id
    name
    email
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const DocumentsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<DocumentsQuery, DocumentsQueryVariables>;
export const CreateDocumentDocument = new TypedDocumentString(`
    mutation CreateDocument($title: String) {
  createDocument(title: $title) {
    id
    title
  }
}
    `) as unknown as TypedDocumentString<CreateDocumentMutation, CreateDocumentMutationVariables>;
export const RenameDocumentDocument = new TypedDocumentString(`
    mutation RenameDocument($id: ID!, $title: String!) {
  renameDocument(id: $id, title: $title) {
    id
    title
  }
}
    `) as unknown as TypedDocumentString<RenameDocumentMutation, RenameDocumentMutationVariables>;
export const MoveDocumentToTrashDocument = new TypedDocumentString(`
    mutation MoveDocumentToTrash($id: ID!) {
  moveDocumentToTrash(id: $id) {
    id
    trashedAt
  }
}
    `) as unknown as TypedDocumentString<MoveDocumentToTrashMutation, MoveDocumentToTrashMutationVariables>;
export const RestoreDocumentFromTrashDocument = new TypedDocumentString(`
    mutation RestoreDocumentFromTrash($id: ID!) {
  restoreDocumentFromTrash(id: $id) {
    id
    trashedAt
  }
}
    `) as unknown as TypedDocumentString<RestoreDocumentFromTrashMutation, RestoreDocumentFromTrashMutationVariables>;
export const ApiTokensDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ApiTokensQuery, ApiTokensQueryVariables>;
export const CreateApiTokenDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CreateApiTokenMutation, CreateApiTokenMutationVariables>;
export const RevokeApiTokenDocument = new TypedDocumentString(`
    mutation RevokeApiToken($id: ID!) {
  revokeApiToken(id: $id)
}
    `) as unknown as TypedDocumentString<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>;
export const CollaboratorsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CollaboratorsQuery, CollaboratorsQueryVariables>;
export const ShareDocumentDocument = new TypedDocumentString(`
    mutation ShareDocument($documentId: ID!, $email: String!, $role: Role!) {
  shareDocument(documentId: $documentId, email: $email, role: $role) {
    email
    role
  }
}
    `) as unknown as TypedDocumentString<ShareDocumentMutation, ShareDocumentMutationVariables>;
export const UpdateCollaboratorRoleDocument = new TypedDocumentString(`
    mutation UpdateCollaboratorRole($documentId: ID!, $userId: ID!, $role: Role!) {
  updateCollaboratorRole(documentId: $documentId, userId: $userId, role: $role) {
    role
  }
}
    `) as unknown as TypedDocumentString<UpdateCollaboratorRoleMutation, UpdateCollaboratorRoleMutationVariables>;
export const RemoveCollaboratorDocument = new TypedDocumentString(`
    mutation RemoveCollaborator($documentId: ID!, $userId: ID!) {
  removeCollaborator(documentId: $documentId, userId: $userId)
}
    `) as unknown as TypedDocumentString<RemoveCollaboratorMutation, RemoveCollaboratorMutationVariables>;
export const DocumentInvitationsDocument = new TypedDocumentString(`
    query DocumentInvitations($documentId: ID!) {
  documentInvitations(documentId: $documentId) {
    email
    role
    createdAt
  }
}
    `) as unknown as TypedDocumentString<DocumentInvitationsQuery, DocumentInvitationsQueryVariables>;
export const CancelInvitationDocument = new TypedDocumentString(`
    mutation CancelInvitation($documentId: ID!, $email: String!) {
  cancelInvitation(documentId: $documentId, email: $email)
}
    `) as unknown as TypedDocumentString<CancelInvitationMutation, CancelInvitationMutationVariables>;
export const LinkSharingDocument = new TypedDocumentString(`
    query LinkSharing($id: ID!) {
  document(id: $id) {
    id
    linkSharing {
      role
      url
    }
  }
}
    `) as unknown as TypedDocumentString<LinkSharingQuery, LinkSharingQueryVariables>;
export const SetLinkSharingDocument = new TypedDocumentString(`
    mutation SetLinkSharing($documentId: ID!, $role: Role) {
  setLinkSharing(documentId: $documentId, role: $role) {
    id
    linkSharing {
      role
      url
    }
  }
}
    `) as unknown as TypedDocumentString<SetLinkSharingMutation, SetLinkSharingMutationVariables>;
export const ResetShareLinkDocument = new TypedDocumentString(`
    mutation ResetShareLink($documentId: ID!) {
  resetShareLink(documentId: $documentId) {
    id
    linkSharing {
      role
      url
    }
  }
}
    `) as unknown as TypedDocumentString<ResetShareLinkMutation, ResetShareLinkMutationVariables>;
export const JoinSharedDocumentDocument = new TypedDocumentString(`
    mutation JoinSharedDocument($documentId: ID!, $secret: String!) {
  joinSharedDocument(documentId: $documentId, secret: $secret) {
    id
    myRole
  }
}
    `) as unknown as TypedDocumentString<JoinSharedDocumentMutation, JoinSharedDocumentMutationVariables>;
/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CommentThreads($id: ID!) {\n    document(id: $id) {\n      id\n      commentThreads(includeResolved: true) {\n        ...CommentThreadFields\n      }\n    }\n  }\n  fragment CommentThreadFields on CommentThread {\n    id\n    quote\n    resolved\n    createdAt\n    anchor {\n      index\n      length\n      version\n    }\n    comments {\n      id\n      body\n      createdAt\n      editedAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": typeof types.CommentThreadsDocument,
    "\n  subscription CommentThreadChanged($documentId: ID!) {\n    commentThreadChanged(documentId: $documentId) {\n      ...CommentThreadFields\n    }\n  }\n": typeof types.CommentThreadChangedDocument,
    "\n  mutation CreateCommentThread($input: CreateCommentThreadInput!) {\n    createCommentThread(input: $input) {\n      ...CommentThreadFields\n    }\n  }\n": typeof types.CreateCommentThreadDocument,
    "\n  mutation ReplyToCommentThread($threadId: ID!, $body: String!) {\n    replyToCommentThread(threadId: $threadId, body: $body) {\n      id\n    }\n  }\n": typeof types.ReplyToCommentThreadDocument,
    "\n  mutation ResolveCommentThread($threadId: ID!, $resolved: Boolean!) {\n    resolveCommentThread(threadId: $threadId, resolved: $resolved) {\n      ...CommentThreadFields\n    }\n  }\n": typeof types.ResolveCommentThreadDocument,
    "\n  mutation EditComment($commentId: ID!, $body: String!) {\n    editComment(commentId: $commentId, body: $body) {\n      id\n    }\n  }\n": typeof types.EditCommentDocument,
    "\n  mutation DeleteComment($commentId: ID!) {\n    deleteComment(commentId: $commentId)\n  }\n": typeof types.DeleteCommentDocument,
    "\n  query Revisions($id: ID!, $first: Int, $after: String) {\n    document(id: $id) {\n      id\n      version\n      revisions(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            fromVersion\n            toVersion\n            startedAt\n            createdAt\n            name\n            restore {\n              version\n            }\n            authors {\n              id\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.RevisionsDocument,
    "\n  query RevisionPreview($id: ID!, $fromVersion: Int!, $toVersion: Int!) {\n    document(id: $id) {\n      id\n      at(version: $fromVersion) {\n        version\n        content\n      }\n      diff(fromVersion: $fromVersion, toVersion: $toVersion)\n    }\n  }\n": typeof types.RevisionPreviewDocument,
    "\n  mutation NameVersion($documentId: ID!, $version: Int!, $name: String!) {\n    nameVersion(documentId: $documentId, version: $version, name: $name) {\n      id\n      name\n      toVersion\n    }\n  }\n": typeof types.NameVersionDocument,
    "\n  mutation RestoreVersion($documentId: ID!, $version: Int!) {\n    restoreVersion(documentId: $documentId, version: $version) {\n      version\n      duplicate\n    }\n  }\n": typeof types.RestoreVersionDocument,
    "\n  subscription HistoryVersions($documentId: ID!, $fromVersion: Int!) {\n    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {\n      operations {\n        version\n      }\n    }\n  }\n": typeof types.HistoryVersionsDocument,
    "\n  query OpenDocument($id: ID!) {\n    document(id: $id) {\n      id\n      title\n      version\n      content\n      myRole\n    }\n  }\n": typeof types.OpenDocumentDocument,
    "\n  mutation SubmitOperation($input: SubmitOperationInput!) {\n    submitOperation(input: $input) {\n      version\n      delta\n      duplicate\n    }\n  }\n": typeof types.SubmitOperationDocument,
    "\n  subscription DocumentOperationBatches($documentId: ID!, $fromVersion: Int!) {\n    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {\n      operations {\n        version\n        delta\n        clientId\n        clientSeq\n        author {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.DocumentOperationBatchesDocument,
    "\n  mutation UpdatePresence($documentId: ID!, $clientId: String!, $selection: JSON) {\n    updatePresence(documentId: $documentId, clientId: $clientId, selection: $selection)\n  }\n": typeof types.UpdatePresenceDocument,
    "\n  mutation LeavePresence($documentId: ID!, $clientId: String!) {\n    leavePresence(documentId: $documentId, clientId: $clientId)\n  }\n": typeof types.LeavePresenceDocument,
    "\n  subscription Presence($documentId: ID!) {\n    presence(documentId: $documentId) {\n      clientId\n      selection\n      left\n      user {\n        id\n        name\n      }\n    }\n  }\n": typeof types.PresenceDocument,
    "\n  subscription MyDocumentRole($documentId: ID!) {\n    myDocumentRole(documentId: $documentId)\n  }\n": typeof types.MyDocumentRoleDocument,
    "\n  query DocumentOperations($id: ID!, $fromVersion: Int!, $first: Int!) {\n    document(id: $id) {\n      id\n      operations(fromVersion: $fromVersion, first: $first) {\n        version\n        delta\n        clientId\n        clientSeq\n      }\n    }\n  }\n": typeof types.DocumentOperationsDocument,
    "\n  mutation SuggestOperation($input: SubmitOperationInput!) {\n    suggestOperation(input: $input) {\n      version\n      delta\n      duplicate\n    }\n  }\n": typeof types.SuggestOperationDocument,
    "\n  mutation AcceptSuggestion($documentId: ID!, $suggestionId: ID!) {\n    acceptSuggestion(documentId: $documentId, suggestionId: $suggestionId) {\n      version\n    }\n  }\n": typeof types.AcceptSuggestionDocument,
    "\n  mutation RejectSuggestion($documentId: ID!, $suggestionId: ID!) {\n    rejectSuggestion(documentId: $documentId, suggestionId: $suggestionId) {\n      version\n    }\n  }\n": typeof types.RejectSuggestionDocument,
    "\n  query DocumentSuggestions($id: ID!) {\n    document(id: $id) {\n      id\n      suggestions {\n        id\n        author {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.DocumentSuggestionsDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Documents($first: Int, $after: String, $search: String, $filter: DocumentFilter) {\n    documents(first: $first, after: $after, search: $search, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          title\n          myRole\n          updatedAt\n          trashedAt\n        }\n        snippet\n        snippetHighlights {\n          start\n          length\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.DocumentsDocument,
    "\n  mutation CreateDocument($title: String) {\n    createDocument(title: $title) {\n      id\n      title\n    }\n  }\n": typeof types.CreateDocumentDocument,
    "\n  mutation RenameDocument($id: ID!, $title: String!) {\n    renameDocument(id: $id, title: $title) {\n      id\n      title\n    }\n  }\n": typeof types.RenameDocumentDocument,
    "\n  mutation MoveDocumentToTrash($id: ID!) {\n    moveDocumentToTrash(id: $id) {\n      id\n      trashedAt\n    }\n  }\n": typeof types.MoveDocumentToTrashDocument,
    "\n  mutation RestoreDocumentFromTrash($id: ID!) {\n    restoreDocumentFromTrash(id: $id) {\n      id\n      trashedAt\n    }\n  }\n": typeof types.RestoreDocumentFromTrashDocument,
    "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      scopes\n      expiresAt\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  mutation CreateApiToken($name: String!, $scopes: [ApiTokenScope!], $expiresAt: DateTime) {\n    createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {\n      token\n      apiToken {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        scopes\n        expiresAt\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id)\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  query Collaborators($documentId: ID!) {\n    collaborators(documentId: $documentId) {\n      role\n      addedAt\n      viaLink\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n": typeof types.CollaboratorsDocument,
    "\n  mutation ShareDocument($documentId: ID!, $email: String!, $role: Role!) {\n    shareDocument(documentId: $documentId, email: $email, role: $role) {\n      email\n      role\n    }\n  }\n": typeof types.ShareDocumentDocument,
    "\n  mutation UpdateCollaboratorRole($documentId: ID!, $userId: ID!, $role: Role!) {\n    updateCollaboratorRole(documentId: $documentId, userId: $userId, role: $role) {\n      role\n    }\n  }\n": typeof types.UpdateCollaboratorRoleDocument,
    "\n  mutation RemoveCollaborator($documentId: ID!, $userId: ID!) {\n    removeCollaborator(documentId: $documentId, userId: $userId)\n  }\n": typeof types.RemoveCollaboratorDocument,
    "\n  query DocumentInvitations($documentId: ID!) {\n    documentInvitations(documentId: $documentId) {\n      email\n      role\n      createdAt\n    }\n  }\n": typeof types.DocumentInvitationsDocument,
    "\n  mutation CancelInvitation($documentId: ID!, $email: String!) {\n    cancelInvitation(documentId: $documentId, email: $email)\n  }\n": typeof types.CancelInvitationDocument,
    "\n  query LinkSharing($id: ID!) {\n    document(id: $id) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n": typeof types.LinkSharingDocument,
    "\n  mutation SetLinkSharing($documentId: ID!, $role: Role) {\n    setLinkSharing(documentId: $documentId, role: $role) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n": typeof types.SetLinkSharingDocument,
    "\n  mutation ResetShareLink($documentId: ID!) {\n    resetShareLink(documentId: $documentId) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n": typeof types.ResetShareLinkDocument,
    "\n  mutation JoinSharedDocument($documentId: ID!, $secret: String!) {\n    joinSharedDocument(documentId: $documentId, secret: $secret) {\n      id\n      myRole\n    }\n  }\n": typeof types.JoinSharedDocumentDocument,
};
const documents: Documents = {
    "\n  query CommentThreads($id: ID!) {\n    document(id: $id) {\n      id\n      commentThreads(includeResolved: true) {\n        ...CommentThreadFields\n      }\n    }\n  }\n  fragment CommentThreadFields on CommentThread {\n    id\n    quote\n    resolved\n    createdAt\n    anchor {\n      index\n      length\n      version\n    }\n    comments {\n      id\n      body\n      createdAt\n      editedAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": types.CommentThreadsDocument,
    "\n  subscription CommentThreadChanged($documentId: ID!) {\n    commentThreadChanged(documentId: $documentId) {\n      ...CommentThreadFields\n    }\n  }\n": types.CommentThreadChangedDocument,
    "\n  mutation CreateCommentThread($input: CreateCommentThreadInput!) {\n    createCommentThread(input: $input) {\n      ...CommentThreadFields\n    }\n  }\n": types.CreateCommentThreadDocument,
    "\n  mutation ReplyToCommentThread($threadId: ID!, $body: String!) {\n    replyToCommentThread(threadId: $threadId, body: $body) {\n      id\n    }\n  }\n": types.ReplyToCommentThreadDocument,
    "\n  mutation ResolveCommentThread($threadId: ID!, $resolved: Boolean!) {\n    resolveCommentThread(threadId: $threadId, resolved: $resolved) {\n      ...CommentThreadFields\n    }\n  }\n": types.ResolveCommentThreadDocument,
    "\n  mutation EditComment($commentId: ID!, $body: String!) {\n    editComment(commentId: $commentId, body: $body) {\n      id\n    }\n  }\n": types.EditCommentDocument,
    "\n  mutation DeleteComment($commentId: ID!) {\n    deleteComment(commentId: $commentId)\n  }\n": types.DeleteCommentDocument,
    "\n  query Revisions($id: ID!, $first: Int, $after: String) {\n    document(id: $id) {\n      id\n      version\n      revisions(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            fromVersion\n            toVersion\n            startedAt\n            createdAt\n            name\n            restore {\n              version\n            }\n            authors {\n              id\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.RevisionsDocument,
    "\n  query RevisionPreview($id: ID!, $fromVersion: Int!, $toVersion: Int!) {\n    document(id: $id) {\n      id\n      at(version: $fromVersion) {\n        version\n        content\n      }\n      diff(fromVersion: $fromVersion, toVersion: $toVersion)\n    }\n  }\n": types.RevisionPreviewDocument,
    "\n  mutation NameVersion($documentId: ID!, $version: Int!, $name: String!) {\n    nameVersion(documentId: $documentId, version: $version, name: $name) {\n      id\n      name\n      toVersion\n    }\n  }\n": types.NameVersionDocument,
    "\n  mutation RestoreVersion($documentId: ID!, $version: Int!) {\n    restoreVersion(documentId: $documentId, version: $version) {\n      version\n      duplicate\n    }\n  }\n": types.RestoreVersionDocument,
    "\n  subscription HistoryVersions($documentId: ID!, $fromVersion: Int!) {\n    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {\n      operations {\n        version\n      }\n    }\n  }\n": types.HistoryVersionsDocument,
    "\n  query OpenDocument($id: ID!) {\n    document(id: $id) {\n      id\n      title\n      version\n      content\n      myRole\n    }\n  }\n": types.OpenDocumentDocument,
    "\n  mutation SubmitOperation($input: SubmitOperationInput!) {\n    submitOperation(input: $input) {\n      version\n      delta\n      duplicate\n    }\n  }\n": types.SubmitOperationDocument,
    "\n  subscription DocumentOperationBatches($documentId: ID!, $fromVersion: Int!) {\n    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {\n      operations {\n        version\n        delta\n        clientId\n        clientSeq\n        author {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.DocumentOperationBatchesDocument,
    "\n  mutation UpdatePresence($documentId: ID!, $clientId: String!, $selection: JSON) {\n    updatePresence(documentId: $documentId, clientId: $clientId, selection: $selection)\n  }\n": types.UpdatePresenceDocument,
    "\n  mutation LeavePresence($documentId: ID!, $clientId: String!) {\n    leavePresence(documentId: $documentId, clientId: $clientId)\n  }\n": types.LeavePresenceDocument,
    "\n  subscription Presence($documentId: ID!) {\n    presence(documentId: $documentId) {\n      clientId\n      selection\n      left\n      user {\n        id\n        name\n      }\n    }\n  }\n": types.PresenceDocument,
    "\n  subscription MyDocumentRole($documentId: ID!) {\n    myDocumentRole(documentId: $documentId)\n  }\n": types.MyDocumentRoleDocument,
    "\n  query DocumentOperations($id: ID!, $fromVersion: Int!, $first: Int!) {\n    document(id: $id) {\n      id\n      operations(fromVersion: $fromVersion, first: $first) {\n        version\n        delta\n        clientId\n        clientSeq\n      }\n    }\n  }\n": types.DocumentOperationsDocument,
    "\n  mutation SuggestOperation($input: SubmitOperationInput!) {\n    suggestOperation(input: $input) {\n      version\n      delta\n      duplicate\n    }\n  }\n": types.SuggestOperationDocument,
    "\n  mutation AcceptSuggestion($documentId: ID!, $suggestionId: ID!) {\n    acceptSuggestion(documentId: $documentId, suggestionId: $suggestionId) {\n      version\n    }\n  }\n": types.AcceptSuggestionDocument,
    "\n  mutation RejectSuggestion($documentId: ID!, $suggestionId: ID!) {\n    rejectSuggestion(documentId: $documentId, suggestionId: $suggestionId) {\n      version\n    }\n  }\n": types.RejectSuggestionDocument,
    "\n  query DocumentSuggestions($id: ID!) {\n    document(id: $id) {\n      id\n      suggestions {\n        id\n        author {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.DocumentSuggestionsDocument,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n    }\n  }\n": types.MeDocument,
    "\n  query Documents($first: Int, $after: String, $search: String, $filter: DocumentFilter) {\n    documents(first: $first, after: $after, search: $search, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          title\n          myRole\n          updatedAt\n          trashedAt\n        }\n        snippet\n        snippetHighlights {\n          start\n          length\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.DocumentsDocument,
    "\n  mutation CreateDocument($title: String) {\n    createDocument(title: $title) {\n      id\n      title\n    }\n  }\n": types.CreateDocumentDocument,
    "\n  mutation RenameDocument($id: ID!, $title: String!) {\n    renameDocument(id: $id, title: $title) {\n      id\n      title\n    }\n  }\n": types.RenameDocumentDocument,
    "\n  mutation MoveDocumentToTrash($id: ID!) {\n    moveDocumentToTrash(id: $id) {\n      id\n      trashedAt\n    }\n  }\n": types.MoveDocumentToTrashDocument,
    "\n  mutation RestoreDocumentFromTrash($id: ID!) {\n    restoreDocumentFromTrash(id: $id) {\n      id\n      trashedAt\n    }\n  }\n": types.RestoreDocumentFromTrashDocument,
    "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      scopes\n      expiresAt\n    }\n  }\n": types.ApiTokensDocument,
    "\n  mutation CreateApiToken($name: String!, $scopes: [ApiTokenScope!], $expiresAt: DateTime) {\n    createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {\n      token\n      apiToken {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        scopes\n        expiresAt\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id)\n  }\n": types.RevokeApiTokenDocument,
    "\n  query Collaborators($documentId: ID!) {\n    collaborators(documentId: $documentId) {\n      role\n      addedAt\n      viaLink\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n": types.CollaboratorsDocument,
    "\n  mutation ShareDocument($documentId: ID!, $email: String!, $role: Role!) {\n    shareDocument(documentId: $documentId, email: $email, role: $role) {\n      email\n      role\n    }\n  }\n": types.ShareDocumentDocument,
    "\n  mutation UpdateCollaboratorRole($documentId: ID!, $userId: ID!, $role: Role!) {\n    updateCollaboratorRole(documentId: $documentId, userId: $userId, role: $role) {\n      role\n    }\n  }\n": types.UpdateCollaboratorRoleDocument,
    "\n  mutation RemoveCollaborator($documentId: ID!, $userId: ID!) {\n    removeCollaborator(documentId: $documentId, userId: $userId)\n  }\n": types.RemoveCollaboratorDocument,
    "\n  query DocumentInvitations($documentId: ID!) {\n    documentInvitations(documentId: $documentId) {\n      email\n      role\n      createdAt\n    }\n  }\n": types.DocumentInvitationsDocument,
    "\n  mutation CancelInvitation($documentId: ID!, $email: String!) {\n    cancelInvitation(documentId: $documentId, email: $email)\n  }\n": types.CancelInvitationDocument,
    "\n  query LinkSharing($id: ID!) {\n    document(id: $id) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n": types.LinkSharingDocument,
    "\n  mutation SetLinkSharing($documentId: ID!, $role: Role) {\n    setLinkSharing(documentId: $documentId, role: $role) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n": types.SetLinkSharingDocument,
    "\n  mutation ResetShareLink($documentId: ID!) {\n    resetShareLink(documentId: $documentId) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n": types.ResetShareLinkDocument,
    "\n  mutation JoinSharedDocument($documentId: ID!, $secret: String!) {\n    joinSharedDocument(documentId: $documentId, secret: $secret) {\n      id\n      myRole\n    }\n  }\n": types.JoinSharedDocumentDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommentThreads($id: ID!) {\n    document(id: $id) {\n      id\n      commentThreads(includeResolved: true) {\n        ...CommentThreadFields\n      }\n    }\n  }\n  fragment CommentThreadFields on CommentThread {\n    id\n    quote\n    resolved\n    createdAt\n    anchor {\n      index\n      length\n      version\n    }\n    comments {\n      id\n      body\n      createdAt\n      editedAt\n      author {\n        id\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').CommentThreadsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CommentThreadChanged($documentId: ID!) {\n    commentThreadChanged(documentId: $documentId) {\n      ...CommentThreadFields\n    }\n  }\n"): typeof import('./graphql').CommentThreadChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCommentThread($input: CreateCommentThreadInput!) {\n    createCommentThread(input: $input) {\n      ...CommentThreadFields\n    }\n  }\n"): typeof import('./graphql').CreateCommentThreadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplyToCommentThread($threadId: ID!, $body: String!) {\n    replyToCommentThread(threadId: $threadId, body: $body) {\n      id\n    }\n  }\n"): typeof import('./graphql').ReplyToCommentThreadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResolveCommentThread($threadId: ID!, $resolved: Boolean!) {\n    resolveCommentThread(threadId: $threadId, resolved: $resolved) {\n      ...CommentThreadFields\n    }\n  }\n"): typeof import('./graphql').ResolveCommentThreadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EditComment($commentId: ID!, $body: String!) {\n    editComment(commentId: $commentId, body: $body) {\n      id\n    }\n  }\n"): typeof import('./graphql').EditCommentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteComment($commentId: ID!) {\n    deleteComment(commentId: $commentId)\n  }\n"): typeof import('./graphql').DeleteCommentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Revisions($id: ID!, $first: Int, $after: String) {\n    document(id: $id) {\n      id\n      version\n      revisions(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            fromVersion\n            toVersion\n            startedAt\n            createdAt\n            name\n            restore {\n              version\n            }\n            authors {\n              id\n              name\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').RevisionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RevisionPreview($id: ID!, $fromVersion: Int!, $toVersion: Int!) {\n    document(id: $id) {\n      id\n      at(version: $fromVersion) {\n        version\n        content\n      }\n      diff(fromVersion: $fromVersion, toVersion: $toVersion)\n    }\n  }\n"): typeof import('./graphql').RevisionPreviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation NameVersion($documentId: ID!, $version: Int!, $name: String!) {\n    nameVersion(documentId: $documentId, version: $version, name: $name) {\n      id\n      name\n      toVersion\n    }\n  }\n"): typeof import('./graphql').NameVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestoreVersion($documentId: ID!, $version: Int!) {\n    restoreVersion(documentId: $documentId, version: $version) {\n      version\n      duplicate\n    }\n  }\n"): typeof import('./graphql').RestoreVersionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HistoryVersions($documentId: ID!, $fromVersion: Int!) {\n    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {\n      operations {\n        version\n      }\n    }\n  }\n"): typeof import('./graphql').HistoryVersionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OpenDocument($id: ID!) {\n    document(id: $id) {\n      id\n      title\n      version\n      content\n      myRole\n    }\n  }\n"): typeof import('./graphql').OpenDocumentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitOperation($input: SubmitOperationInput!) {\n    submitOperation(input: $input) {\n      version\n      delta\n      duplicate\n    }\n  }\n"): typeof import('./graphql').SubmitOperationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DocumentOperationBatches($documentId: ID!, $fromVersion: Int!) {\n    documentOperationBatches(documentId: $documentId, fromVersion: $fromVersion) {\n      operations {\n        version\n        delta\n        clientId\n        clientSeq\n        author {\n          id\n          name\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').DocumentOperationBatchesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePresence($documentId: ID!, $clientId: String!, $selection: JSON) {\n    updatePresence(documentId: $documentId, clientId: $clientId, selection: $selection)\n  }\n"): typeof import('./graphql').UpdatePresenceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeavePresence($documentId: ID!, $clientId: String!) {\n    leavePresence(documentId: $documentId, clientId: $clientId)\n  }\n"): typeof import('./graphql').LeavePresenceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Presence($documentId: ID!) {\n    presence(documentId: $documentId) {\n      clientId\n      selection\n      left\n      user {\n        id\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').PresenceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MyDocumentRole($documentId: ID!) {\n    myDocumentRole(documentId: $documentId)\n  }\n"): typeof import('./graphql').MyDocumentRoleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DocumentOperations($id: ID!, $fromVersion: Int!, $first: Int!) {\n    document(id: $id) {\n      id\n      operations(fromVersion: $fromVersion, first: $first) {\n        version\n        delta\n        clientId\n        clientSeq\n      }\n    }\n  }\n"): typeof import('./graphql').DocumentOperationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SuggestOperation($input: SubmitOperationInput!) {\n    suggestOperation(input: $input) {\n      version\n      delta\n      duplicate\n    }\n  }\n"): typeof import('./graphql').SuggestOperationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptSuggestion($documentId: ID!, $suggestionId: ID!) {\n    acceptSuggestion(documentId: $documentId, suggestionId: $suggestionId) {\n      version\n    }\n  }\n"): typeof import('./graphql').AcceptSuggestionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RejectSuggestion($documentId: ID!, $suggestionId: ID!) {\n    rejectSuggestion(documentId: $documentId, suggestionId: $suggestionId) {\n      version\n    }\n  }\n"): typeof import('./graphql').RejectSuggestionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DocumentSuggestions($id: ID!) {\n    document(id: $id) {\n      id\n      suggestions {\n        id\n        author {\n          id\n          name\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').DocumentSuggestionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      email\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Documents($first: Int, $after: String, $search: String, $filter: DocumentFilter) {\n    documents(first: $first, after: $after, search: $search, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          title\n          myRole\n          updatedAt\n          trashedAt\n        }\n        snippet\n        snippetHighlights {\n          start\n          length\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').DocumentsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDocument($title: String) {\n    createDocument(title: $title) {\n      id\n      title\n    }\n  }\n"): typeof import('./graphql').CreateDocumentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenameDocument($id: ID!, $title: String!) {\n    renameDocument(id: $id, title: $title) {\n      id\n      title\n    }\n  }\n"): typeof import('./graphql').RenameDocumentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MoveDocumentToTrash($id: ID!) {\n    moveDocumentToTrash(id: $id) {\n      id\n      trashedAt\n    }\n  }\n"): typeof import('./graphql').MoveDocumentToTrashDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestoreDocumentFromTrash($id: ID!) {\n    restoreDocumentFromTrash(id: $id) {\n      id\n      trashedAt\n    }\n  }\n"): typeof import('./graphql').RestoreDocumentFromTrashDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      scopes\n      expiresAt\n    }\n  }\n"): typeof import('./graphql').ApiTokensDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($name: String!, $scopes: [ApiTokenScope!], $expiresAt: DateTime) {\n    createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {\n      token\n      apiToken {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        scopes\n        expiresAt\n      }\n    }\n  }\n"): typeof import('./graphql').CreateApiTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id)\n  }\n"): typeof import('./graphql').RevokeApiTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Collaborators($documentId: ID!) {\n    collaborators(documentId: $documentId) {\n      role\n      addedAt\n      viaLink\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n"): typeof import('./graphql').CollaboratorsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ShareDocument($documentId: ID!, $email: String!, $role: Role!) {\n    shareDocument(documentId: $documentId, email: $email, role: $role) {\n      email\n      role\n    }\n  }\n"): typeof import('./graphql').ShareDocumentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCollaboratorRole($documentId: ID!, $userId: ID!, $role: Role!) {\n    updateCollaboratorRole(documentId: $documentId, userId: $userId, role: $role) {\n      role\n    }\n  }\n"): typeof import('./graphql').UpdateCollaboratorRoleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveCollaborator($documentId: ID!, $userId: ID!) {\n    removeCollaborator(documentId: $documentId, userId: $userId)\n  }\n"): typeof import('./graphql').RemoveCollaboratorDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DocumentInvitations($documentId: ID!) {\n    documentInvitations(documentId: $documentId) {\n      email\n      role\n      createdAt\n    }\n  }\n"): typeof import('./graphql').DocumentInvitationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelInvitation($documentId: ID!, $email: String!) {\n    cancelInvitation(documentId: $documentId, email: $email)\n  }\n"): typeof import('./graphql').CancelInvitationDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LinkSharing($id: ID!) {\n    document(id: $id) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n"): typeof import('./graphql').LinkSharingDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetLinkSharing($documentId: ID!, $role: Role) {\n    setLinkSharing(documentId: $documentId, role: $role) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n"): typeof import('./graphql').SetLinkSharingDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetShareLink($documentId: ID!) {\n    resetShareLink(documentId: $documentId) {\n      id\n      linkSharing {\n        role\n        url\n      }\n    }\n  }\n"): typeof import('./graphql').ResetShareLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinSharedDocument($documentId: ID!, $secret: String!) {\n    joinSharedDocument(documentId: $documentId, secret: $secret) {\n      id\n      myRole\n    }\n  }\n"): typeof import('./graphql').JoinSharedDocumentDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

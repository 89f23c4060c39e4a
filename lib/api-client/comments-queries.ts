/**
 * The editor's comment operations (issue 17), as typed documents generated from the committed
 * schema.graphql (`npm run codegen`).
 */
import { graphql } from './gql/index.ts';

export const COMMENT_THREADS = graphql(`
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
  }
`);

export const COMMENT_THREAD_CHANGED = graphql(`
  subscription CommentThreadChanged($documentId: ID!) {
    commentThreadChanged(documentId: $documentId) {
      ...CommentThreadFields
    }
  }
`);

export const CREATE_COMMENT_THREAD = graphql(`
  mutation CreateCommentThread($input: CreateCommentThreadInput!) {
    createCommentThread(input: $input) {
      ...CommentThreadFields
    }
  }
`);

export const REPLY_TO_COMMENT_THREAD = graphql(`
  mutation ReplyToCommentThread($threadId: ID!, $body: String!) {
    replyToCommentThread(threadId: $threadId, body: $body) {
      id
    }
  }
`);

export const RESOLVE_COMMENT_THREAD = graphql(`
  mutation ResolveCommentThread($threadId: ID!, $resolved: Boolean!) {
    resolveCommentThread(threadId: $threadId, resolved: $resolved) {
      ...CommentThreadFields
    }
  }
`);

export const EDIT_COMMENT = graphql(`
  mutation EditComment($commentId: ID!, $body: String!) {
    editComment(commentId: $commentId, body: $body) {
      id
    }
  }
`);

export const DELETE_COMMENT = graphql(`
  mutation DeleteComment($commentId: ID!) {
    deleteComment(commentId: $commentId)
  }
`);

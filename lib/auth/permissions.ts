/**
 * Every permission decision in Verso goes through `can()`: resolvers, subscriptions when they
 * start and whenever access changes, the export route. Pure: the caller looks up the viewer's
 * role on the resource and passes it in.
 *
 * Two things must both allow an action: the person's role on the document, and, for a request
 * made with an API token, the token's scopes (a session cookie carries every scope).
 */

/** A person's role on one document (API.md `Role`), strongest first. */
export type DocumentRole = 'OWNER' | 'EDITOR' | 'COMMENTER' | 'VIEWER';

export const DOCUMENT_ROLES: readonly DocumentRole[] = ['OWNER', 'EDITOR', 'COMMENTER', 'VIEWER'];

/** Things one can do to a document. */
export type DocumentAction =
  /** See title, content, history, presence; subscribe to its ops. */
  | 'read'
  /** Submit operations, restore versions, update one's presence with a selection. */
  | 'edit'
  /** Open comment threads, reply, resolve and reopen them (one's own comments: `CommentAction`). */
  | 'comment'
  /** Delete other people's comments (asked through `deleteComment`, see `CommentResource`). */
  | 'moderate'
  /** Rename, name versions. */
  | 'manage'
  /** Invite, change roles, remove collaborators. */
  | 'share'
  /** Move to trash and restore from trash. */
  | 'delete';

/** Things one can do with a document's share link (issue 20). */
export type LinkAction =
  /** Open the link: get the link's role on the document (a link membership). */
  'join';

/** Things one can do to one comment (issue 17): edit it (its author's), delete it (its author's or an owner's). */
export type CommentAction = 'editComment' | 'deleteComment';

/** Things one can do to one's own account. */
export type AccountAction =
  /** Create documents (in one's personal organization). */
  | 'create-document'
  /** List, create and revoke API tokens; change the account itself. */
  | 'manage-account';

/**
 * What an API token may do, chosen when it is created. `read` is part of every token. None of
 * them but `account` lets a token mint tokens or change the account.
 */
export type TokenScope = 'read' | 'write' | 'share' | 'delete' | 'account';

export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'share', 'delete', 'account'];

/** Scopes of a token created without naming any: read and write documents. */
export const DEFAULT_TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];

/** The scope each action needs. */
export const SCOPE_FOR: Readonly<Record<DocumentAction | AccountAction | LinkAction | CommentAction, TokenScope>> = {
  read: 'read',
  edit: 'write',
  comment: 'write',
  moderate: 'write',
  editComment: 'write',
  deleteComment: 'write',
  manage: 'write',
  share: 'share',
  delete: 'delete',
  'create-document': 'write',
  'manage-account': 'account',
  // Joining takes on a role, like leaving gives one up: a read-only token may do neither.
  join: 'share',
};

const ALLOWED: Readonly<Record<DocumentAction, readonly DocumentRole[]>> = {
  read: ['OWNER', 'EDITOR', 'COMMENTER', 'VIEWER'],
  comment: ['OWNER', 'EDITOR', 'COMMENTER'],
  moderate: ['OWNER'],
  edit: ['OWNER', 'EDITOR'],
  manage: ['OWNER', 'EDITOR'],
  share: ['OWNER'],
  delete: ['OWNER'],
};

/** Who is asking: a signed-in account (by session cookie or API token), or nobody. */
export interface Principal {
  readonly userId: string;
  /** The API token's scopes; null (or absent) for a session, which may do whatever the person may. */
  readonly scopes?: ReadonlySet<TokenScope> | null;
}

/** A document as seen by one principal: their role on it, or null when they have none. */
export interface DocumentGrant {
  readonly kind: 'document';
  readonly role: DocumentRole | null;
  /** Trashed documents can only be read and restored by whoever may delete them. */
  readonly deleted: boolean;
}

/** An account, for actions on it. */
export interface AccountResource {
  readonly kind: 'account';
  readonly userId: string;
}

/**
 * A document's share link as presented by someone opening it: the link's role (null: link sharing
 * is off), and whether the secret they brought is the link's current one.
 */
export interface LinkResource {
  readonly kind: 'link';
  readonly role: DocumentRole | null;
  readonly secretMatches: boolean;
  /** Trashed documents cannot be joined. */
  readonly deleted: boolean;
}

/**
 * One comment as seen by one principal: who wrote it (null: the author's account is gone) and the
 * principal's grant on the comment's document. Both comment actions need the `comment` role on the
 * document first: someone demoted to VIEWER (or removed) no longer edits or deletes even their
 * own comments, like they no longer reply.
 */
export interface CommentResource {
  readonly kind: 'comment';
  readonly authorId: string | null;
  readonly document: DocumentGrant;
}

/** Whether the principal's credential carries the scope an action needs (sessions carry all). */
export function scopeAllows(principal: Principal, action: DocumentAction | AccountAction | LinkAction | CommentAction): boolean {
  return !principal.scopes || principal.scopes.has(SCOPE_FOR[action]);
}

/** Whether a role allows an action on a document, whatever the credential. */
export function roleAllows(action: DocumentAction, resource: DocumentGrant): boolean {
  if (resource.role === null) return false;
  if (resource.deleted && action !== 'delete') return false;
  return ALLOWED[action].includes(resource.role);
}

/** The one permission function. */
export function can(principal: Principal | null, action: DocumentAction, resource: DocumentGrant): boolean;
export function can(principal: Principal | null, action: AccountAction, resource: AccountResource): boolean;
export function can(principal: Principal | null, action: LinkAction, resource: LinkResource): boolean;
export function can(principal: Principal | null, action: CommentAction, resource: CommentResource): boolean;
export function can(
  principal: Principal | null,
  action: DocumentAction | AccountAction | LinkAction | CommentAction,
  resource: DocumentGrant | AccountResource | LinkResource | CommentResource,
): boolean {
  if (principal === null || !scopeAllows(principal, action)) return false;
  if (resource.kind === 'account') return resource.userId === principal.userId;
  if (resource.kind === 'link') return resource.role !== null && resource.secretMatches && !resource.deleted;
  if (resource.kind === 'comment') return commentAllows(principal, action as CommentAction, resource);
  return roleAllows(action as DocumentAction, resource);
}

/** Both need a role that may comment; then editing a comment is its author's alone, deleting is its author's or an owner's. */
function commentAllows(principal: Principal, action: CommentAction, resource: CommentResource): boolean {
  if (!roleAllows('comment', resource.document)) return false;
  const isAuthor = resource.authorId !== null && resource.authorId === principal.userId;
  if (action === 'editComment') return isAuthor;
  return isAuthor || roleAllows('moderate', resource.document);
}

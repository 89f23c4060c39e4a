/**
 * Every permission decision in Verso goes through `can()`: resolvers, subscriptions when they
 * start and whenever access changes, the export route. Pure: the caller looks up the viewer's
 * role on the resource and passes it in.
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
  /** Comment (reserved: comments do not exist yet, so commenters are read-only for now). */
  | 'comment'
  /** Rename, name versions. */
  | 'manage'
  /** Invite, change roles, remove collaborators. */
  | 'share'
  /** Move to trash and restore from trash. */
  | 'delete';

const ALLOWED: Readonly<Record<DocumentAction, readonly DocumentRole[]>> = {
  read: ['OWNER', 'EDITOR', 'COMMENTER', 'VIEWER'],
  comment: ['OWNER', 'EDITOR', 'COMMENTER'],
  edit: ['OWNER', 'EDITOR'],
  manage: ['OWNER', 'EDITOR'],
  share: ['OWNER'],
  delete: ['OWNER'],
};

/** Who is asking: a signed-in account (by session cookie or API token), or nobody. */
export interface Principal {
  readonly userId: string;
}

/** A document as seen by one principal: their role on it, or null when they have none. */
export interface DocumentGrant {
  readonly kind: 'document';
  readonly role: DocumentRole | null;
  /** Trashed documents can only be read and restored by whoever may delete them. */
  readonly deleted: boolean;
}

/** The one permission function. */
export function can(principal: Principal | null, action: DocumentAction, resource: DocumentGrant): boolean {
  if (principal === null || resource.role === null) return false;
  if (resource.deleted && action !== 'delete') return false;
  return ALLOWED[action].includes(resource.role);
}

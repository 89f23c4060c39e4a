/** `can()` on one comment (issue 17): editing is its author's, deleting its author's or an owner's. */
import { describe, expect, it } from 'vitest';
import { can, DOCUMENT_ROLES, type CommentAction, type CommentResource, type DocumentRole, type Principal } from '../../lib/auth/permissions.ts';

const author: Principal = { userId: 'author' };
const other: Principal = { userId: 'other' };
const token = (userId: string, ...scopes: Array<'read' | 'write' | 'share' | 'delete' | 'account'>): Principal => ({ userId, scopes: new Set(scopes) });
const comment = (role: DocumentRole | null, over: Partial<CommentResource> & { deleted?: boolean } = {}): CommentResource => ({
  kind: 'comment',
  authorId: over.authorId === undefined ? 'author' : over.authorId,
  document: { kind: 'document', role, deleted: over.deleted ?? false },
});

describe("can(principal, 'editComment' | 'deleteComment', comment)", () => {
  // Every role, asked by the comment's author and by someone else.
  const byRole: Record<DocumentRole, Record<CommentAction, [author: boolean, other: boolean]>> = {
    OWNER: { editComment: [true, false], deleteComment: [true, true] },
    EDITOR: { editComment: [true, false], deleteComment: [true, false] },
    COMMENTER: { editComment: [true, false], deleteComment: [true, false] },
    // A demoted author reads their comments and no longer changes them, like they no longer reply.
    VIEWER: { editComment: [false, false], deleteComment: [false, false] },
  };
  for (const role of DOCUMENT_ROLES) {
    for (const action of ['editComment', 'deleteComment'] as const) {
      const [byAuthor, byOther] = byRole[role][action];
      it(`${role}: ${action} by its author ${byAuthor ? 'allowed' : 'refused'}, by someone else ${byOther ? 'allowed' : 'refused'}`, () => {
        expect(can(author, action, comment(role))).toBe(byAuthor);
        expect(can(other, action, comment(role))).toBe(byOther);
      });
    }
  }

  const rows: Array<[string, Principal | null, CommentAction, CommentResource, boolean]> = [
    ['nobody signed in', null, 'editComment', comment('OWNER'), false],
    ['no role on the document (removed after writing it)', author, 'editComment', comment(null), false],
    ['no role on the document, deleting', author, 'deleteComment', comment(null), false],
    ['a document in the trash, by its author', author, 'editComment', comment('OWNER', { deleted: true }), false],
    ['a document in the trash, by an owner', other, 'deleteComment', comment('OWNER', { deleted: true }), false],
    ["an author whose account is gone: nobody edits it", other, 'editComment', comment('OWNER', { authorId: null }), false],
    ["an author whose account is gone: an owner deletes it", other, 'deleteComment', comment('OWNER', { authorId: null }), true],
    ["an author whose account is gone: an editor does not", other, 'deleteComment', comment('EDITOR', { authorId: null }), false],
    ['a read-only token of its author', token('author', 'read'), 'editComment', comment('COMMENTER'), false],
    ["a read-only token of an owner", token('other', 'read'), 'deleteComment', comment('OWNER'), false],
    ['a write token of its author', token('author', 'read', 'write'), 'editComment', comment('COMMENTER'), true],
    ["a write token of an owner", token('other', 'read', 'write'), 'deleteComment', comment('OWNER'), true],
  ];
  for (const [name, principal, action, resource, allowed] of rows) {
    it(`${allowed ? 'allows' : 'refuses'} ${action}: ${name}`, () => expect(can(principal, action, resource)).toBe(allowed));
  }
});

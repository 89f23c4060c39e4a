/**
 * Which mutation carries a submission of the editor's session (issues 18 and 20). The edits a
 * session sends are not always the mode's own: edits kept offline (IndexedDB) come back on the
 * next visit, when the person's role or the editor's mode may have changed since they typed.
 */
import type { Delta } from '../ot/operation.ts';
import { hasMarks } from '../ot/suggestion.ts';

export type SubmissionRoute = 'submitOperation' | 'suggestOperation';

/**
 * `suggestOperation` in Suggesting mode; for a COMMENTER, whose plain edits (typed as an editor,
 * kept offline, resent after a demotion) the server may only take as suggestions: it converts
 * them at head, so nothing typed is lost; and for an op carrying marks (made in Suggesting mode
 * before a reload): `submitOperation` refuses marks (SG11). Else `submitOperation`; a VIEWER's
 * edits are refused there (FORBIDDEN) and handed to the person to copy.
 */
export function submissionRoute(role: string, suggesting: boolean, delta: Delta): SubmissionRoute {
  return suggesting || role === 'COMMENTER' || hasMarks(delta) ? 'suggestOperation' : 'submitOperation';
}

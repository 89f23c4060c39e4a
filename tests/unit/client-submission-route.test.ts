/**
 * The route of a session's submissions (lib/api-client/submission-route.ts). Found in review of
 * issues 18 and 20: plain edits a person typed offline as an editor, resent on a later visit after
 * they became a commenter, went through submitOperation and were refused; edits typed in
 * Suggesting mode and resent after a reload (the mode is not stored) carried marks that
 * submitOperation refuses.
 */
import { describe, expect, it } from 'vitest';
import { Delta } from '../../lib/ot/operation.ts';
import { DELETE_MARK, encodeMark, INSERT_MARK } from '../../lib/ot/suggestion.ts';
import { submissionRoute } from '../../lib/api-client/submission-route.ts';

const plain = new Delta().retain(3).insert('typed offline');
const marked = new Delta().retain(3).insert('proposed', { [INSERT_MARK]: encodeMark('c:1', 'u1') });
const withdrawn = new Delta().retain(3, { [DELETE_MARK]: null });

describe('submissionRoute', () => {
  it("sends a commenter's plain edits (kept offline from when they were an editor) as suggestions, not to be refused", () => {
    expect(submissionRoute('COMMENTER', false, plain)).toBe('suggestOperation');
  });

  it('sends an editor’s plain edits through submitOperation, and through suggestOperation in Suggesting mode', () => {
    expect(submissionRoute('EDITOR', false, plain)).toBe('submitOperation');
    expect(submissionRoute('OWNER', false, plain)).toBe('submitOperation');
    expect(submissionRoute('EDITOR', true, plain)).toBe('suggestOperation');
  });

  it('sends ops that carry marks (Suggesting mode before a reload) as suggestions whatever the mode now', () => {
    expect(submissionRoute('EDITOR', false, plain.compose(new Delta().retain(3, { bold: true })))).toBe('submitOperation');
    expect(submissionRoute('EDITOR', false, marked)).toBe('suggestOperation');
    expect(submissionRoute('EDITOR', false, withdrawn)).toBe('suggestOperation');
  });

  it("leaves a viewer's edits on submitOperation, whose refusal hands them to the person to copy", () => {
    expect(submissionRoute('VIEWER', false, plain)).toBe('submitOperation');
  });
});

'use client';
/**
 * Text someone typed that the server no longer accepted because their role changed before it
 * arrived (issue 19), or, for edits kept offline, because the server refused them for good (the
 * document was deleted, access removed, too far behind: issue 20): kept visible, with a button
 * to copy it, until they dismiss it.
 */
import { useState } from 'react';
import type { Role, UnsentEdits } from './use-collab-editor.ts';

// Styled here rather than in app/globals.css, which the editor does not own.
const PANEL = { background: '#fff4e5', border: '1px solid #f0c27b' } as const;

export function UnsentEditsPanel({ unsent, role, onDismiss }: { unsent: UnsentEdits; role: Role | null; onDismiss: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const roleText = role ? `to ${role.toLowerCase()}` : '';

  async function copy() {
    try {
      await navigator.clipboard.writeText(unsent.text);
      setCopied('Copied.');
    } catch {
      setCopied('Could not copy automatically: select the text and copy it (Ctrl+C).');
    }
  }

  const deleted = unsent.deleted > 0 ? ` ${unsent.deleted === 1 ? 'One character you deleted was' : `${unsent.deleted} characters you deleted were`} not removed either.` : '';
  return (
    <section className="banner unsent-edits" style={PANEL} role="alert" aria-labelledby="unsent-edits-title" data-testid="unsent-edits">
      <h2 id="unsent-edits-title" style={{ fontSize: '1rem', margin: '0 0 0.25rem' }}>
        Your last changes were not saved
      </h2>
      <p>
        {unsent.reason ?? `Your role on this document changed ${roleText} before these changes reached the server`}
        {unsent.reason ? ' These changes are not in the document.' : ', so they are not in the document.'}
        {unsent.text ? ' Copy the text to keep it.' : ''}
        {deleted}
      </p>
      {unsent.text && <textarea readOnly value={unsent.text} aria-label="Text that was not saved" style={{ width: '100%', fontFamily: 'inherit' }} rows={Math.min(6, unsent.text.split('\n').length + 1)} />}
      <p className="unsent-edits-actions" style={{ display: 'flex', gap: '0.5rem', alignItems: 'center', margin: '0.4rem 0 0' }}>
        {unsent.text && (
          <button type="button" className="button primary" onClick={() => void copy()}>
            Copy text
          </button>
        )}
        <button type="button" className="button" onClick={onDismiss}>
          Dismiss
        </button>
        {copied && <span role="status">{copied}</span>}
      </p>
    </section>
  );
}

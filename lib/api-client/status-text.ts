/**
 * The words the editor shows for its connection and saving state. Honest by construction: an
 * edit counts as saved only when the server confirmed it.
 */
import type { SessionStatus } from './collab-session.ts';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'error';

const changes = (n: number) => (n === 1 ? '1 change' : `${n} changes`);

/** "Saved", "Saving…", "N changes from your last visit are being saved", "Offline — N changes pending", "Reconnecting…" (with what is pending). */
export function statusText(status: SessionStatus | null, browserOnline: boolean, resumed = 0): { text: string; tone: StatusTone } {
  if (!status) return { text: 'Connecting…', tone: 'busy' };
  const { indicator } = status;
  // Edits kept from an earlier visit (issue 20) say so until the server has confirmed them.
  if (resumed > 0 && status.pendingEdits > 0) {
    const what = `${changes(resumed)} from your last visit`;
    if (indicator.kind === 'offline') return { text: browserOnline ? `Reconnecting… ${what} waiting to be saved` : `Offline — ${what} waiting to be saved`, tone: 'warn' };
    if (indicator.kind !== 'error') return { text: `${what} ${resumed === 1 ? 'is' : 'are'} being saved`, tone: 'busy' };
  }
  switch (indicator.kind) {
    case 'saved':
      return { text: 'Saved', tone: 'ok' };
    case 'saving':
      return { text: 'Saving…', tone: 'busy' };
    case 'offline':
      if (!browserOnline) {
        return { text: indicator.pendingEdits > 0 ? `Offline — ${changes(indicator.pendingEdits)} pending` : 'Offline — no changes pending', tone: 'warn' };
      }
      return { text: indicator.pendingEdits > 0 ? `Reconnecting… ${changes(indicator.pendingEdits)} pending` : 'Reconnecting…', tone: 'warn' };
    case 'error':
      return { text: 'Out of sync — reloading the document…', tone: 'error' };
  }
}

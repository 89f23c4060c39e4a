/**
 * The words the editor shows for its connection and saving state. Honest by construction: an
 * edit counts as saved only when the server confirmed it.
 */
import type { SessionStatus } from './collab-session.ts';

export type StatusTone = 'ok' | 'busy' | 'warn' | 'error';

const changes = (n: number) => (n === 1 ? '1 change' : `${n} changes`);

/** "Saved", "Saving…", "Offline — N changes pending", "Reconnecting…" (with what is pending). */
export function statusText(status: SessionStatus | null, browserOnline: boolean): { text: string; tone: StatusTone } {
  if (!status) return { text: 'Connecting…', tone: 'busy' };
  const { indicator } = status;
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

/** Issue 20: the status for edits kept from an earlier visit, until the server confirms them. */
import { describe, expect, it } from 'vitest';
import { saveIndicator, type ClientStatus } from '../../lib/collab/collab-client-types.ts';
import { statusText } from '../../lib/api-client/status-text.ts';

const status = (s: ClientStatus) => ({ ...s, indicator: saveIndicator(s) });

describe('status text for resumed edits', () => {
  it('says "N changes from your last visit are being saved" while they are in flight', () => {
    expect(statusText(status({ state: 'awaitingConfirm', connected: true, version: 3, pendingEdits: 2 }), true, 2)).toEqual({ text: '2 changes from your last visit are being saved', tone: 'busy' });
    expect(statusText(status({ state: 'awaitingConfirm', connected: true, version: 3, pendingEdits: 1 }), true, 1).text).toBe('1 change from your last visit is being saved');
  });

  it('says they are waiting while offline, and plain "Saved" once confirmed', () => {
    expect(statusText(status({ state: 'awaitingConfirm', connected: false, version: 3, pendingEdits: 2 }), false, 2).text).toBe('Offline — 2 changes from your last visit waiting to be saved');
    expect(statusText(status({ state: 'synchronized', connected: true, version: 4, pendingEdits: 0 }), true, 2).text).toBe('Saved');
  });
});

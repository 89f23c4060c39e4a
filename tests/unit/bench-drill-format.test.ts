/** The drill's per-fault report names the error answers the bots got, with the first message of each code. */
import { describe, expect, it } from 'vitest';
import { formatFault, type FaultReport } from '../../bench/lib/drill.ts';

const report = (counters: Record<string, number>, errorMessages?: Record<string, string>): FaultReport => ({
  fault: 'stalled-reader',
  ok: false,
  recoverySeconds: 0.23,
  acknowledged: 10,
  checks: [{ name: 'each op once', ok: false, detail: '0 doubled, issued but not stored: bot0#169' }],
  counters: { acks: 10, duplicates: 0, resubmissions: 1, droppedAcks: 0, disconnects: 1, reloads: 1, ...counters },
  ...(errorMessages ? { errorMessages } : {}),
});

describe('drill fault report', () => {
  it('lists error answers by code with their first message', () => {
    const text = formatFault(report({ 'error:VERSION_TOO_OLD': 1, 'error:RATE_LIMITED': 0 }, { VERSION_TOO_OLD: 'History after version 3 is no longer available; reload the document.' }));
    expect(text).toContain('error answers: VERSION_TOO_OLD 1 ("History after version 3 is no longer available; reload the document.")');
    expect(text).not.toContain('RATE_LIMITED');
    expect(text).toContain('✗ each op once: 0 doubled, issued but not stored: bot0#169');
  });

  it('has no error line when there were none', () => {
    expect(formatFault(report({}))).not.toContain('error answers');
  });
});

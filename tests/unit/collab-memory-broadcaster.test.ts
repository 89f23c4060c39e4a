/** The in-memory broadcaster against the Broadcaster contract. */
import { describe, expect, it } from 'vitest';
import { createMemoryBroadcaster } from '../../lib/collab/memory/memory-broadcaster.ts';
import { registerBroadcasterContract } from '../support/collab-broadcaster-contract.ts';
import { opAt } from '../support/collab-op-store-contract.ts';

registerBroadcasterContract('memory', () => ({ broadcaster: createMemoryBroadcaster() }));

describe('memory broadcaster', () => {
  it('[B5] reports listener failures to onListenerError with the document and op', async () => {
    const reported: string[] = [];
    const broadcaster = createMemoryBroadcaster({ onListenerError: (_e, documentId, op) => reported.push(`${documentId}@${op.version}`) });
    await broadcaster.subscribe('d', () => {
      throw new Error('boom');
    });
    await broadcaster.publish('d', opAt('d', 1));
    expect(reported).toEqual(['d@1']);
  });

  it('[B4] a listener unsubscribed by an earlier listener during a publish is not called', async () => {
    const broadcaster = createMemoryBroadcaster();
    const calls: string[] = [];
    let second: (() => Promise<void>) | undefined;
    await broadcaster.subscribe('d', () => {
      calls.push('first');
      void second?.();
    });
    second = await broadcaster.subscribe('d', () => void calls.push('second'));
    await broadcaster.publish('d', opAt('d', 1));
    expect(calls).toEqual(['first']);
  });
});

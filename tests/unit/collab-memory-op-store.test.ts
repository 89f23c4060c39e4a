/** The in-memory op store against the OpStore contract, in both of its head modes. */
import { createMemoryOpStore } from '../../lib/collab/memory/memory-op-store.ts';
import { registerOpStoreContract } from '../support/collab-op-store-contract.ts';

registerOpStoreContract('memory (keeps head content)', () => ({ store: createMemoryOpStore() }));
registerOpStoreContract('memory (snapshots + ops)', () => ({ store: createMemoryOpStore({ keepHeadContent: false }) }));

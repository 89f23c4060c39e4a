/**
 * The broadcaster port: per-document fan-out of committed ops, possibly across server instances.
 * Rules B1–B5 are in ./SPEC.md and checked by `registerBroadcasterContract`
 * (tests/support/collab-broadcaster-contract.ts).
 *
 * A broadcaster is best effort across failures (a Redis reconnect may lose messages); consumers
 * that need every op use `openOpFeed`, which refills gaps from the op store.
 */
import type { AppliedOp } from './types.ts';

/** Receives ops of one document. May return a promise; a rejection or throw is the listener's problem [B5]. */
export type OpListener = (op: AppliedOp) => void | Promise<void>;

/** Stops a subscription; after it resolves the listener is not called again [B4]. */
export type Unsubscribe = () => Promise<void>;

export interface Broadcaster {
  /**
   * Sends a committed op to the document's subscribers, on every instance. The sequencer calls
   * it only after the op is durable [S7]. Ops published in order by one caller reach each
   * subscriber in that order [B2]; the op arrives equal to what was published [B1].
   */
  publish(documentId: string, op: AppliedOp): Promise<void>;

  /**
   * Starts delivering ops of `documentId` to `listener`. Once the returned promise resolves,
   * every later publish reaches the listener exactly once [B1], and no op of another document
   * does [B3].
   */
  subscribe(documentId: string, listener: OpListener): Promise<Unsubscribe>;
}

/**
 * A client's copy of a document's anchors, kept in step with the server's log [AN6].
 *
 * The server carries anchors over its ops in version order (AN5). A client that carried them over
 * edits in the order it saw them (its own first, then others' rebased over them) could end up
 * with another range than the server's. So this keeps every anchor at the client's confirmed
 * version, carried over the server's ops as they arrive (others' ops and the client's own ops as
 * applied), and only for display carries that over the client's unconfirmed edits. Once the
 * client has no unconfirmed edits, what it shows is exactly what the server answers.
 *
 * Pure: no I/O; the browser editor feeds it the op stream and reads ranges for highlights.
 */
import type Delta from 'quill-delta';
import { carryAnchor, carryRange, type Anchor, type TextRange, type VersionedOp } from './anchor.ts';

/** How many recent server ops a tracker keeps by default to bring older anchors up to date. */
export const DEFAULT_KEPT_OPS = 256;

export class AnchorTracker<K = string> {
  #version: number;
  readonly #keep: number;
  /** The last `#keep` server ops, ascending and consecutive, ending at `#version`. */
  #recent: VersionedOp[] = [];
  /** At `#version`, or ahead of it when the server answered from a newer head than the client has. */
  readonly #anchors = new Map<K, Anchor>();

  /** `version`: the client's confirmed version (the server ops it has applied). */
  constructor(version: number, keep: number = DEFAULT_KEPT_OPS) {
    this.#version = version;
    this.#keep = keep;
  }

  /** The client's confirmed version. */
  get version(): number {
    return this.#version;
  }

  /**
   * The next server op, as applied (another's op or the client's own, acknowledged). Throws a
   * RangeError when it is not the op after the confirmed version: ops must come in order, once.
   */
  applied(op: VersionedOp): void {
    if (op.version !== this.#version + 1) {
      throw new RangeError(`AnchorTracker: expected the op producing version ${this.#version + 1}, got ${op.version}.`);
    }
    for (const [key, anchor] of this.#anchors) {
      if (anchor.version === this.#version) this.#anchors.set(key, carryAnchor(anchor, [op]));
    }
    this.#recent.push(op);
    if (this.#recent.length > this.#keep) this.#recent.splice(0, this.#recent.length - this.#keep);
    this.#version = op.version;
  }

  /**
   * Jumps to `version` without its ops (the client reloaded the document): anchors behind it are
   * dropped, since they can no longer be carried; set them again from a fresh read.
   */
  reset(version: number): void {
    this.#version = version;
    this.#recent = [];
    for (const [key, anchor] of this.#anchors) if (anchor.version < version) this.#anchors.delete(key);
  }

  /**
   * Records an anchor the server answered at `anchor.version`. One behind the confirmed version
   * is carried over the kept ops; answers false when those are no longer kept (read it again).
   * One ahead waits until the client's version reaches it.
   */
  set(key: K, anchor: Anchor): boolean {
    if (anchor.version >= this.#version) {
      this.#anchors.set(key, anchor);
      return true;
    }
    const first = this.#recent[0];
    if (first === undefined || first.version > anchor.version + 1) return false;
    this.#anchors.set(key, carryAnchor(anchor, this.#recent));
    return true;
  }

  /** Forgets an anchor. */
  delete(key: K): void {
    this.#anchors.delete(key);
  }

  /** Every anchor at the confirmed version; those still ahead of the client are left out. */
  confirmed(): Map<K, TextRange | null> {
    const out = new Map<K, TextRange | null>();
    for (const [key, anchor] of this.#anchors) if (anchor.version === this.#version) out.set(key, anchor.range);
    return out;
  }

  /**
   * Ranges in the client's local document: the confirmed ones carried over `pending`, the client's
   * unconfirmed edits as one op against the confirmed document (null when there are none). For
   * display only: the server may order those edits after others and answer differently (AN6).
   */
  local(pending: Delta | null): Map<K, TextRange | null> {
    const out = this.confirmed();
    if (pending === null || pending.ops.length === 0) return out;
    for (const [key, range] of out) out.set(key, range === null ? null : carryRange(range, pending));
    return out;
  }
}

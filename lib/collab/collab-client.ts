/**
 * The client side of central-server OT (as in ot.js and ShareDB): a state machine that keeps
 * at most one op in flight, composes later local edits into a buffer, and rebases both over
 * remote ops. Rules C1–C10 in ./SPEC.md. No timers and no I/O: the transport is injected and the
 * host feeds it server messages, so it runs the same in the browser, in Node and in simulation.
 */
import { apply, baseLength, compose, diff, invert, transform, transformSelection, type Delta, type Selection } from '../ot/operation.ts';
import type {
  ApplyLocalResult,
  ClientEvent,
  ClientStatus,
  ClientTransport,
  RemoteOp,
} from './collab-client-types.ts';
import { isRetryable, type SubmitResult } from './types.ts';

export interface CollabClientOptions {
  readonly documentId: string;
  /** Stable for this client session; with clientSeq it identifies each op [S2]. */
  readonly clientId: string;
  /** The server version `content` is at. */
  readonly version: number;
  readonly content: Delta;
  readonly transport: ClientTransport;
  readonly onEvent?: (event: ClientEvent) => void;
  /** The clientSeq of the first op; default 1. Use a higher one only when resuming a clientId. */
  readonly firstClientSeq?: number;
  /** Whether the transport is up at construction; default true. */
  readonly connected?: boolean;
}

/** The op in flight: sent (or to be sent on reconnect) with a fixed clientSeq. */
interface InFlight {
  readonly clientSeq: number;
  /** Rebased over every remote op received since it was made, so it applies at `version`. */
  readonly op: Delta;
  readonly edits: number;
}

type State =
  | { readonly kind: 'synchronized' }
  | { readonly kind: 'awaitingConfirm'; readonly inFlight: InFlight }
  | { readonly kind: 'awaitingWithBuffer'; readonly inFlight: InFlight; readonly buffer: Delta; readonly bufferEdits: number }
  | { readonly kind: 'desynchronized'; readonly code: string; readonly message: string };

/** A JSON form of `value` with object keys sorted, so equal ops compare equal however their attributes were built. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Whether two ops are the same change (trailing plain retains ignored) [C5]. */
function sameOp(a: Delta, b: Delta): boolean {
  const trimmed = (d: Delta) => {
    const ops = [...d.ops];
    while (ops.length > 0 && typeof ops[ops.length - 1]!.retain === 'number' && ops[ops.length - 1]!.attributes === undefined) ops.pop();
    return ops;
  };
  return canonical(trimmed(a)) === canonical(trimmed(b));
}

/** Components the server's composed change may hold before it is applied to the document [C5]. */
const SERVER_CHANGE_MAX_OPS = 32;

/** A central-server OT client for one document. Misuse (e.g. bad options) throws; server answers never do. */
export class CollabClient {
  readonly documentId: string;
  readonly clientId: string;
  #state: State = { kind: 'synchronized' };
  #version: number;
  #content: Delta;
  /**
   * The document at `version` as the server has it (`content` without unconfirmed local edits)
   * [C5], kept lazily: `#serverBase` plus `#serverChange`, the server's ops since composed into
   * one change (small: it only spans the places edited), applied to the base only when a
   * corrected echo needs the document itself. Applying every remote op to a second copy of the
   * document cost a full extra apply per op while edits were unconfirmed.
   */
  #serverBase: Delta;
  #serverChange: Delta | null = null;
  /** The server's document's length, kept exactly, so an op that cannot apply to it is caught when it arrives. */
  #serverLength: number;
  #selection: Selection | null = null;
  #nextSeq: number;
  #connected: boolean;
  /** Remote ops that arrived ahead of `version + 1`, held until the gap fills [C4]. */
  readonly #early = new Map<number, RemoteOp>();
  readonly #transport: ClientTransport;
  readonly #onEvent: (event: ClientEvent) => void;

  constructor(options: CollabClientOptions) {
    if (!Number.isSafeInteger(options.version) || options.version < 0) throw new Error(`bad version ${options.version}`);
    this.documentId = options.documentId;
    this.clientId = options.clientId;
    this.#version = options.version;
    this.#content = options.content;
    this.#serverBase = options.content;
    this.#serverLength = options.content.length();
    this.#transport = options.transport;
    this.#onEvent = options.onEvent ?? (() => undefined);
    this.#nextSeq = options.firstClientSeq ?? 1;
    this.#connected = options.connected ?? true;
  }

  /** The last server version incorporated; resubscribe from here after a reconnect [C7]. */
  get version(): number {
    return this.#version;
  }

  /** The local document: server version plus unconfirmed local edits. */
  get document(): Delta {
    return this.#content;
  }

  /**
   * The local edits the server has not confirmed (in-flight composed with the buffer), as one op
   * against the server document at `version`; null when there are none. Hosts move other
   * people's selections through it to place them in the local document.
   */
  get pending(): Delta | null {
    const s = this.#state;
    if (s.kind === 'awaitingConfirm') return s.inFlight.op;
    if (s.kind === 'awaitingWithBuffer') return compose(s.inFlight.op, s.buffer);
    return null;
  }

  get selection(): Selection | null {
    return this.#selection;
  }

  /** The clientSeq the next new op will get. */
  get nextClientSeq(): number {
    return this.#nextSeq;
  }

  get status(): ClientStatus {
    const s = this.#state;
    const pendingEdits =
      s.kind === 'awaitingConfirm' ? s.inFlight.edits : s.kind === 'awaitingWithBuffer' ? s.inFlight.edits + s.bufferEdits : 0;
    return { state: s.kind, connected: this.#connected, version: this.#version, pendingEdits };
  }

  /** Sets the local selection; it is then moved through every op [C3]. */
  setSelection(selection: Selection | null): void {
    this.#selection = selection;
  }

  /**
   * Records a local edit made against `document`. Refused (nothing changes) when it does not
   * apply [C10] or the client is desynchronized. Otherwise it is sent at once if nothing is in
   * flight, else composed into the buffer [C1, C2].
   */
  applyLocal(op: Delta): ApplyLocalResult {
    const s = this.#state;
    if (s.kind === 'desynchronized') {
      return { kind: 'refused', code: 'DESYNCHRONIZED', message: 'The document must be reloaded before editing (resync).' };
    }
    const next = apply(this.#content, op);
    if (!next.ok) return { kind: 'refused', code: next.code, message: next.message };
    if (op.ops.length === 0) return { kind: 'applied', document: this.#content };
    this.#content = next.value;
    if (this.#selection) this.#selection = transformSelection(this.#selection, op, true);
    if (s.kind === 'synchronized') {
      this.#startInFlight(op, 1);
    } else if (s.kind === 'awaitingConfirm') {
      this.#state = { kind: 'awaitingWithBuffer', inFlight: s.inFlight, buffer: op, bufferEdits: 1 };
    } else {
      this.#state = { ...s, buffer: compose(s.buffer, op), bufferEdits: s.bufferEdits + 1 };
    }
    this.#emitStatus();
    return { kind: 'applied', document: this.#content };
  }

  /**
   * Feeds one op from the server's op stream. Ops at or below `version` are repeats and ignored;
   * ops beyond `version + 1` wait for the gap to fill [C4]. Our own in-flight op coming back is
   * its confirmation [C5]; any other op is rebased over in-flight and buffer and emitted as a
   * `remoteOp` event [C3].
   */
  receiveRemote(op: RemoteOp): void {
    if (this.#state.kind === 'desynchronized' || op.version <= this.#version) return;
    if (op.version > this.#version + 1) {
      this.#early.set(op.version, op);
      return;
    }
    this.#incorporate(op);
    for (let next = this.#early.get(this.#version + 1); next; next = this.#early.get(this.#version + 1)) {
      this.#early.delete(next.version);
      if (this.#isDesynchronized()) break;
      this.#incorporate(next);
    }
    for (const version of this.#early.keys()) if (version <= this.#version) this.#early.delete(version);
  }

  /**
   * Feeds the server's answer to the submission with `clientSeq`. Answers for anything but the
   * current in-flight op are stale (a duplicate delivery, or already confirmed by its echo) and
   * ignored [C6]. `applied`/`duplicate` at `version + 1` confirm now; a later version means
   * remote ops before ours are still on their way, and the echo will confirm [C6].
   */
  receiveAck(clientSeq: number, result: SubmitResult): void {
    const s = this.#state;
    if (s.kind === 'desynchronized' || s.kind === 'synchronized' || s.inFlight.clientSeq !== clientSeq) return;
    if (result.kind === 'rejected') {
      if (isRetryable(result.code)) this.#onEvent({ type: 'retryableRejection', code: result.code, message: result.message });
      else this.#desynchronize(result.code, result.message);
      return;
    }
    if (result.version === this.#version + 1) this.receiveRemote({ version: result.version, delta: result.delta, clientId: this.clientId, clientSeq });
  }

  /** The transport went down: in-transit messages are lost, local edits keep buffering [C7]. */
  onDisconnect(): void {
    this.#connected = false;
    this.#early.clear(); // the catch-up after reconnect redelivers everything after `version`
    this.#emitStatus();
  }

  /**
   * The transport is back; the host resubscribes from `version`. Resends the in-flight op with
   * its original clientSeq, rebased to `version`; if the server had applied it, it answers
   * `duplicate` [C7]. A `serverVersion` below ours means the server lost ops we saw [C8].
   */
  onReconnect(serverVersion?: number): void {
    this.#connected = true;
    if (serverVersion !== undefined && serverVersion < this.#version && this.#state.kind !== 'desynchronized') {
      this.#desynchronize('VERSION_AHEAD', `The server is at version ${serverVersion} but this client already saw ${this.#version}; reload.`);
      return;
    }
    this.resend();
    this.#emitStatus();
  }

  /** Sends the in-flight op again (same clientSeq, rebased to `version`); a no-op when none or offline [C9]. */
  resend(): void {
    const s = this.#state;
    if (!this.#connected || s.kind === 'synchronized' || s.kind === 'desynchronized') return;
    this.#send(s.inFlight);
  }

  /**
   * Starts over from a freshly loaded document, dropping unconfirmed edits (they were handed
   * out in the `desynchronized` event). clientSeq keeps counting up, so old submissions still
   * in transit can never be mistaken for new ones [C8].
   */
  resync(version: number, content: Delta): void {
    this.#state = { kind: 'synchronized' };
    this.#version = version;
    this.#content = content;
    this.#serverIs(content);
    this.#early.clear();
    if (this.#selection) {
      const max = Math.max(0, content.length() - 1);
      const index = Math.min(this.#selection.index, max);
      this.#selection = { index, length: Math.min(this.#selection.length, max - index) };
    }
    this.#emitStatus();
  }

  #isDesynchronized(): boolean {
    return this.#state.kind === 'desynchronized';
  }

  #incorporate(op: RemoteOp): void {
    const s = this.#state;
    if (s.kind === 'desynchronized') return;
    if (s.kind !== 'synchronized' && op.clientId === this.clientId && op.clientSeq === s.inFlight.clientSeq) {
      if (sameOp(op.delta, s.inFlight.op)) this.#confirm(op.version, op.delta);
      else this.#correct(op);
      return;
    }
    // The server ordered `op` before our in-flight op and buffer, so it wins ties ('left') and
    // ours are rebased to come after it ('right'): the same choices the sequencer makes [S3].
    let remote = op.delta;
    if (s.kind !== 'synchronized') {
      const inFlightOp = transform(s.inFlight.op, remote, 'right');
      remote = transform(remote, s.inFlight.op, 'left');
      const inFlight = { ...s.inFlight, op: inFlightOp };
      if (s.kind === 'awaitingWithBuffer') {
        const buffer = transform(s.buffer, remote, 'right');
        remote = transform(remote, s.buffer, 'left');
        this.#state = { ...s, inFlight, buffer };
      } else {
        this.#state = { ...s, inFlight };
      }
    }
    const next = apply(this.#content, remote);
    if (!next.ok) {
      // Only possible if client and server disagree about history, i.e. a bug somewhere.
      this.#desynchronize('DIVERGED', `Remote op ${op.version} does not apply locally (${next.message}); reload.`);
      return;
    }
    // With nothing unconfirmed the server's document is the local one; else it moves by the op as sent.
    if (s.kind !== 'synchronized' && !this.#serverMoves(op.delta)) {
      this.#desynchronize('DIVERGED', `Remote op ${op.version} does not apply to the server's document as this client has it (it reaches past its end); reload.`);
      return;
    }
    this.#content = next.value;
    if (s.kind === 'synchronized') this.#serverIs(next.value);
    this.#version = op.version;
    if (this.#selection) this.#selection = transformSelection(this.#selection, remote, false);
    this.#onEvent({ type: 'remoteOp', op: remote, version: op.version, selection: this.#selection });
  }

  /** Our in-flight op came back as sent: confirmed [C5]. */
  #confirm(version: number, delta: Delta): void {
    const s = this.#state;
    this.#version = version;
    if (s.kind === 'awaitingWithBuffer' && s.buffer.ops.length > 0) {
      if (!this.#serverMoves(delta)) return this.#desynchronize('DIVERGED', `Our op ${version} does not apply to the server's document as this client has it (it reaches past its end); reload.`);
      this.#startInFlight(s.buffer, s.bufferEdits);
    } else {
      this.#serverIs(this.#content);
      this.#state = { kind: 'synchronized' };
    }
    this.#emitStatus();
  }

  /**
   * Our in-flight op came back as something else (the server converted a suggestion again on a
   * newer head, SG15, SG18): the server's op is what happened [C5]. The local document becomes
   * the server's with the buffer rebased onto it (the in-flight op undone under the buffer, then
   * the server's op); the editor gets the difference as a `remoteOp` event, and the rebased buffer
   * goes in flight. Nothing typed is lost and nothing else diverges.
   */
  #correct(op: RemoteOp): void {
    const s = this.#state;
    if (s.kind === 'synchronized' || s.kind === 'desynchronized') return;
    const before = this.#serverDocument();
    if (!before.ok) return this.#desynchronize('DIVERGED', `The server's document as this client has it cannot be rebuilt (${before.message}); reload.`);
    const server = apply(before.value, op.delta);
    if (!server.ok) return this.#desynchronize('DIVERGED', `Our op ${op.version} came back in a form that does not apply (${server.message}); reload.`);
    let buffer: Delta | null = null;
    let content = server.value;
    if (s.kind === 'awaitingWithBuffer' && s.buffer.ops.length > 0) {
      const undone = transform(s.buffer, invert(s.inFlight.op, before.value), 'right');
      buffer = transform(undone, op.delta, 'right');
      const rebased = apply(server.value, buffer);
      if (!rebased.ok) return this.#desynchronize('DIVERGED', `Unsent edits do not apply over our op ${op.version} as the server made it (${rebased.message}); reload.`);
      content = rebased.value;
    }
    const change = diff(this.#content, content);
    this.#content = content;
    this.#serverIs(server.value);
    this.#version = op.version;
    if (this.#selection) this.#selection = transformSelection(this.#selection, change, false);
    this.#onEvent({ type: 'remoteOp', op: change, version: op.version, selection: this.#selection });
    if (buffer !== null && buffer.ops.length > 0 && s.kind === 'awaitingWithBuffer') this.#startInFlight(buffer, s.bufferEdits);
    else this.#state = { kind: 'synchronized' };
    this.#emitStatus();
  }

  /** The server's document is `document` [C5]. */
  #serverIs(document: Delta): void {
    this.#serverBase = document;
    this.#serverChange = null;
    this.#serverLength = document.length();
  }

  /**
   * The server's document moves by `delta`, an op as the server sequenced it [C5]; false (and
   * nothing changes) when it reaches past the document's end, so cannot apply to it.
   */
  #serverMoves(delta: Delta): boolean {
    if (baseLength(delta) > this.#serverLength) return false;
    this.#serverChange = this.#serverChange === null ? delta : compose(this.#serverChange, delta);
    this.#serverLength += delta.changeLength();
    // On a busy document a client may never be without unconfirmed edits: the change then comes to
    // span every place edited, and composing each op into it costs more than applying it to the
    // document (bench bots typing into a hot document: 68 % CPU each instead of 18 %). Past
    // SERVER_CHANGE_MAX_OPS components it is applied, one apply per that many ops at most.
    if (this.#serverChange.ops.length > SERVER_CHANGE_MAX_OPS) return this.#serverDocument().ok;
    return true;
  }

  /** The server's document itself, built from the base and the composed change (then kept so) [C5]. */
  #serverDocument(): ReturnType<typeof apply> {
    if (this.#serverChange === null) return { ok: true, value: this.#serverBase };
    const built = apply(this.#serverBase, this.#serverChange);
    if (built.ok) this.#serverIs(built.value);
    return built;
  }

  #startInFlight(op: Delta, edits: number): void {
    const inFlight: InFlight = { clientSeq: this.#nextSeq++, op, edits };
    this.#state = { kind: 'awaitingConfirm', inFlight };
    if (this.#connected) this.#send(inFlight);
  }

  #send(inFlight: InFlight): void {
    this.#transport.send({
      documentId: this.documentId,
      baseVersion: this.#version,
      clientId: this.clientId,
      clientSeq: inFlight.clientSeq,
      delta: inFlight.op,
    });
  }

  #desynchronize(code: string, message: string): void {
    const s = this.#state;
    const unconfirmed =
      s.kind === 'awaitingConfirm' ? s.inFlight.op : s.kind === 'awaitingWithBuffer' ? compose(s.inFlight.op, s.buffer) : null;
    this.#state = { kind: 'desynchronized', code, message };
    this.#early.clear();
    this.#onEvent({ type: 'desynchronized', code, message, version: this.#version, unconfirmed });
    this.#emitStatus();
  }

  #emitStatus(): void {
    this.#onEvent({ type: 'status', status: this.status });
  }
}

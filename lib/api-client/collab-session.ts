/**
 * A collaborating session on one document over graphql-ws: the CollabClient state machine
 * (lib/collab) bound to the API's operations. Used by the web editor, the example integration
 * script, the benchmark bots and the end-to-end tests; runs in the browser and in Node.
 *
 * What it adds to the state machine: loading the document, the op stream
 * (`documentOperationBatches`: consecutive ops in batches, each op fed to the state machine in
 * order; resubscribed from the client's own version after every reconnect, so nothing is missed
 * or replayed), submissions with their answers, resending when an answer is lost or a retryable
 * refusal asks for it, catching up and resending when the server finds a submission too far
 * behind (VERSION_TOO_OLD), reloading after a fatal desync, and presence with other people's
 * selections kept in local document coordinates.
 */
import type { Client, FormattedExecutionResult as ExecutionResult } from 'graphql-ws';
import { CollabClient } from '../collab/collab-client.ts';
import { saveIndicator, type ApplyLocalResult, type ClientStatus, type SaveIndicator } from '../collab/collab-client-types.ts';
import type { SubmitResult, Submission } from '../collab/types.ts';
import { apply, compose, DEFAULT_LIMITS, Delta, transform, transformSelection, type Selection } from '../ot/operation.ts';
import { validateSuggestionOp } from '../ot/suggestion.ts';
import type { OfflineSnapshot } from './offline-snapshot.ts';
import { submissionRoute } from './submission-route.ts';
import type { TypedDocumentString } from './gql/graphql.ts';
import { DOCUMENT_OPERATION_BATCHES, DOCUMENT_OPERATIONS, LEAVE_PRESENCE, MY_DOCUMENT_ROLE, OPEN_DOCUMENT, PRESENCE, SUBMIT_OPERATION, SUGGEST_OPERATION, UPDATE_PRESENCE } from './operations.ts';
import { deltaFromJson, versionedSelectionFromJson, type ResultOf } from './typed-document.ts';

type OpenDocumentResult = ResultOf<typeof OPEN_DOCUMENT>;

/**
 * Someone else in the document, with their selection placed in the local document. A peer is one
 * (user, clientId): the server keys presence that way, so another person announcing the same
 * clientId is another peer and can neither move nor remove this one.
 */
export interface Peer {
  readonly clientId: string;
  readonly userId: string;
  readonly name: string | null;
  readonly selection: Selection | null;
}

export interface SessionStatus extends ClientStatus {
  readonly indicator: SaveIndicator;
}

/** Why the session cannot go on: access ended, the document is gone, or the session was refused. */
export interface SessionFatal {
  readonly code: string;
  readonly message: string;
}

export interface CollabSessionOptions {
  readonly client: Client;
  readonly documentId: string;
  /** Default: a random UUID (one per open editor). */
  readonly clientId?: string;
  /** A remote change to apply to the editor (already transformed over local unconfirmed edits). */
  readonly onRemoteOp?: (op: Delta, info: { version: number; authorId: string | null }) => void;
  /** The whole document was reloaded (after a desync); `lost` holds unconfirmed local edits, if any. */
  readonly onReload?: (content: Delta, lost: Delta | null) => void;
  readonly onStatus?: (status: SessionStatus) => void;
  /** Everyone else present, by {@link peerKey}. */
  readonly onPeers?: (peers: ReadonlyMap<string, Peer>) => void;
  readonly onFatal?: (fatal: SessionFatal) => void;
  /** The person's role on the document changed while it was open (followed live, issue 19). */
  readonly onRole?: (role: string) => void;
  /**
   * Local edits the server refused because the person may no longer edit (their role changed
   * before the edits reached it), as one op against the document they were made on. The session
   * has gone back to the server's text; show these to the person so they can copy them.
   */
  readonly onUnsent?: (unsent: Delta, message: string, why: 'role' | 'refused') => void;
  /** Ops per page when catching up after VERSION_TOO_OLD (1 to 1,000); default 200. */
  readonly catchUpPageSize?: number;
  /** Resend the in-flight op when no answer came within this; default 10 s. */
  readonly ackTimeoutMs?: number;
  /** Also follow presence; default true. */
  readonly presence?: boolean;
  /**
   * Keep what is unconfirmed as an OfflineSnapshot (issue 20): called at each change of the
   * unconfirmed edits (one call at a time: changes made while the returned promise is pending
   * are stored by one call after it; only `flushPending` calls at once, while another may be
   * pending, so the store must apply calls in the order they were made), with null once
   * everything is confirmed. The host stores it (the web editor: IndexedDB, per user and
   * document) and hands it to `CollabSession.resume`. An op is sent only after the call that
   * stores it has resolved, so an edit the server may have is never missing from the store;
   * resolve once the snapshot is durable.
   */
  readonly onPendingChange?: (snapshot: OfflineSnapshot | null) => void | Promise<void>;
}

/** The key of a peer in `peers` / `onPeers`: user ids never contain `:`. */
export const peerKey = (userId: string, clientId: string) => `${userId}:${clientId}`;

/**
 * How long a client waits after a refusal for load (`RATE_LIMITED`, `SERVICE_UNAVAILABLE`) before
 * sending again: no sooner than the server's `retryAfterSeconds` (1 s when it gives none or no
 * positive number, 60 s at most), and up
 * to as long again at random: 1–2 s after a 1 s refusal (a full document), 2–4 s after a 2 s one
 * (an instance's full queue or passed deadline, a busy or unreachable database). An
 * overloaded server refuses many clients within a few milliseconds; coming back after the same
 * wait, they would arrive together and be refused together, once a second. (Against up to half as
 * long again, the hot document's overload step (typing 3× the best step's committed ops)
 * committed 1.04–1.08× of its best step's ops instead of 0.74–0.93×, with a third fewer
 * refusals, in four alternated pairs; under either rule 96–99 % of the bench's light editors'
 * keystrokes were accepted while they typed, the wider wait's in more, smaller ops:
 * bench/results/issue13-s14.md.)
 */
export function rateLimitedWaitMs(retryAfterSeconds: unknown, random: () => number): number {
  return retryAfterMs(retryAfterSeconds) * (1 + random());
}

/** Longest `retryAfterSeconds` a client honours: a larger one (a broken proxy's) would leave edits unsent for good. */
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * The server's `retryAfterSeconds` in ms, read off the wire: a positive finite number of seconds,
 * at most {@link MAX_RETRY_AFTER_SECONDS}; anything else (missing, 0, negative, not a number)
 * counts as 1 s, so a malformed answer never turns the resend into a tight loop.
 */
function retryAfterMs(retryAfterSeconds: unknown): number {
  const seconds = typeof retryAfterSeconds === 'number' && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? retryAfterSeconds : 1;
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS) * 1000;
}

const HISTORY = 2000;
const FATAL = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']);
const PRESENCE_HEARTBEAT_MS = 15_000;
/**
 * Catch-ups in a row (without an answer in between) before the session gives the edits up: more
 * means others commit more than the server's budget between our catch-up and our resend.
 */
const CATCH_UP_ROUNDS = 3;
/** Longest an op waits for onPendingChange to store it before it is sent anyway. */
const STORE_WAIT_MS = 2_000;
/** After the server refused to start the presence stream (e.g. Redis unreachable), try again this much later. */
const PRESENCE_RETRY_MS = 5_000;

interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: string; retryAfterSeconds?: number };
}

const firstError = (result: ExecutionResult<unknown, unknown>): GraphQLErrorLike | undefined =>
  (result.errors as GraphQLErrorLike[] | undefined)?.[0];

/** Runs one query or mutation over the client; resolves with its result (errors included). */
export function request<T, V>(client: Client, document: TypedDocumentString<T, V>, variables: V): Promise<ExecutionResult<T, unknown>> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult<T, unknown> | undefined;
    client.subscribe<T>(
      { query: document.toString(), variables: variables as Record<string, unknown> },
      {
        next: (value) => void (result = value),
        error: (error) => reject(error instanceof Error ? error : new Error(`connection closed (${describeClose(error)})`)),
        complete: () => (result ? resolve(result) : reject(new Error('no result'))),
      },
    );
  });
}

function describeClose(error: unknown): string {
  const e = error as { code?: number; reason?: string } | undefined;
  return e && typeof e.code === 'number' ? `${e.code} ${e.reason ?? ''}`.trim() : String(error);
}

/** Characters an op inserts (an embed counts 1) and its number of components, as the limits count them. */
function measure(op: Delta): { inserted: number; components: number } {
  let inserted = 0;
  for (const component of op.ops) {
    if (typeof component.insert === 'string') inserted += component.insert.length;
    else if (component.insert !== undefined) inserted += 1;
  }
  return { inserted, components: op.ops.length };
}

const count = (n: number) => n.toLocaleString('en-US');

/** A server op as sequenced, or a jump to another version (the session reloaded the document). */
export type ServerOpEvent = { readonly kind: 'op'; readonly version: number; readonly delta: Delta } | { readonly kind: 'reset'; readonly version: number };

export class CollabSession {
  readonly documentId: string;
  readonly clientId: string;
  readonly title: string;
  #role: string;
  readonly #options: CollabSessionOptions;
  readonly #client: Client;
  readonly #collab: CollabClient;
  /** Server ops by version (recent ones), to move presence selections made at older versions. */
  readonly #history = new Map<number, Delta>();
  readonly #peers = new Map<string, Peer>();
  /** Peers' selections made at versions this client has not reached yet, by peerKey. */
  readonly #ahead = new Map<string, { index: number; length: number; version: number }>();
  #stopOps: (() => void) | null = null;
  #stopPresence: (() => void) | null = null;
  #stopRole: (() => void) | null = null;
  readonly #offClient: Array<() => void> = [];
  #ackTimer: ReturnType<typeof setTimeout> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Twice the next retry delay after a retryable refusal; back to 1 s at the next answer. */
  #retryDelayMs = 1_000;
  #presenceTimer: ReturnType<typeof setTimeout> | null = null;
  #presenceRetry: ReturnType<typeof setTimeout> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #lastPresenceSent = 0;
  #presenceInFlight = false;
  #presenceDirty = false;
  #closed = false;
  #fatal: SessionFatal | null = null;
  #reloading = false;
  #catchingUp = false;
  /** Catch-ups since the last answer to a submission (bounded by CATCH_UP_ROUNDS). */
  #catchUpRounds = 0;
  /**
   * With onPendingChange: the server's document at `version` (a mirror of what the state machine
   * rebases against) and the last submission sent, rebased alongside, so that a snapshot holds
   * the in-flight op exactly as numbered (its clientSeq may already be applied on the server).
   */
  #server: { version: number; content: Delta } | null = null;
  #sent: { clientSeq: number; op: Delta } | null = null;
  /** The last onPendingChange call (settled or not); the next one waits for it. */
  #stored: Promise<void> = Promise.resolve();
  /** A call queued behind #stored that has not started: later changes ride on it. */
  #storing: Promise<void> | null = null;
  /** Edits restored from a snapshot that the server has not confirmed yet. */
  #resumedEdits = 0;
  /**
   * False while a resumed session has not heard the person's role from the server: the edits it
   * restored are not sent until then, as their route depends on it (./submission-route.ts).
   */
  #roleConfirmed = true;
  #confirming = false;
  readonly #serverOpListeners = new Set<(event: ServerOpEvent) => void>();
  /**
   * Suggesting mode (issue 18): local edits are in suggestion form (the editor converts them with
   * lib/ot's `toSuggestion`) and go through `suggestOperation`. Switch only with nothing unsaved.
   */
  suggesting = false;

  private constructor(
    options: CollabSessionOptions,
    opened: { title: string; myRole: string; version: number; content: Delta },
    resume?: { clientId: string; firstClientSeq: number },
  ) {
    this.#options = options;
    this.#client = options.client;
    this.documentId = options.documentId;
    this.clientId = resume?.clientId ?? options.clientId ?? globalThis.crypto.randomUUID();
    this.title = opened.title;
    this.#role = opened.myRole;
    if (options.onPendingChange) this.#server = { version: opened.version, content: opened.content };
    this.#collab = new CollabClient({
      documentId: this.documentId,
      clientId: this.clientId,
      version: opened.version,
      content: opened.content,
      firstClientSeq: resume?.firstClientSeq,
      connected: resume ? false : undefined,
      transport: { send: (submission) => this.#send(submission) },
      onEvent: (event) => {
        switch (event.type) {
          case 'remoteOp':
            this.#movePeers(event.op);
            options.onRemoteOp?.(event.op, { version: event.version, authorId: null });
            break;
          case 'status':
            this.#onStatus(event.status);
            break;
          case 'retryableRejection':
            this.#backOffAndResend();
            break;
          case 'desynchronized':
            void this.#reload(event.unconfirmed);
            break;
        }
      },
    });
  }

  /** Loads the document and starts following it. Rejects with the server's reason when it cannot. */
  static async open(options: CollabSessionOptions): Promise<CollabSession> {
    const result = await request(options.client, OPEN_DOCUMENT, { id: options.documentId });
    const error = firstError(result);
    if (error) throw Object.assign(new Error(error.message), { code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' });
    const document = result.data?.document;
    if (!document) throw Object.assign(new Error(`No document with id "${options.documentId}" that you can open.`), { code: 'NOT_FOUND' });
    const session = new CollabSession(options, { ...document, content: deltaFromJson(document.content) });
    session.#start();
    return session;
  }

  /**
   * Reopens a document from an OfflineSnapshot without waiting for the server: the unconfirmed
   * edits show at once, and once connected the in-flight op is resent with its own (clientId,
   * clientSeq), so the server answers `duplicate` if it had applied it before the page went away
   * [S2, C7]; later edits follow with the next clientSeq. Edits the server refuses for good
   * (document gone, access removed, VERSION_TOO_OLD with the missed ops no longer kept) reach
   * `onUnsent` / `onReload` as lost.
   */
  static resume(options: CollabSessionOptions, snapshot: OfflineSnapshot): CollabSession {
    const content = deltaFromJson(snapshot.content);
    const session = new CollabSession(
      options,
      { title: snapshot.title, myRole: snapshot.role, version: snapshot.version, content },
      { clientId: snapshot.clientId, firstClientSeq: snapshot.inFlight.clientSeq },
    );
    const inFlight = deltaFromJson(snapshot.inFlight.op);
    const buffer = snapshot.buffer ? deltaFromJson(snapshot.buffer) : null;
    for (const op of buffer && buffer.ops.length > 0 ? [inFlight, buffer] : [inFlight]) {
      const applied = session.#collab.applyLocal(op);
      if (applied.kind === 'refused') throw new Error(`offline snapshot does not apply: ${applied.message}`);
    }
    // The previous page may have sent this op under its clientSeq: it stays that op (rebased),
    // never merged with later edits, or a second resume would lose them to a `duplicate` answer.
    if (session.#server) session.#sent = { clientSeq: snapshot.inFlight.clientSeq, op: inFlight };
    session.#resumedEdits = snapshot.edits;
    session.#roleConfirmed = false;
    session.#start();
    // A shared socket may already be up (its 'connected' event then never comes).
    void session.#confirmRole();
    return session;
  }

  /**
   * For a resumed session: one request answers both "are we online" and "may we still open it",
   * and gives the role the restored edits are sent under (a commenter's as suggestions); only
   * then are they sent. Offline, the 'connected' handler asks again once the socket is up.
   */
  async #confirmRole(): Promise<void> {
    if (this.#confirming || this.#roleConfirmed || this.#closed) return;
    this.#confirming = true;
    try {
      if (!(await this.#readAgain())) return;
      this.#roleConfirmed = true;
      if (!this.#closed && !this.#collab.status.connected) this.#collab.onReconnect();
    } catch {
      // Offline: asked again at the next 'connected'.
    } finally {
      this.#confirming = false;
    }
  }

  /** Edits from an earlier visit (a snapshot) still waiting for the server; 0 once it confirmed them. */
  get resumedEdits(): number {
    return this.#resumedEdits;
  }

  /**
   * What is unconfirmed, as a snapshot to store, or null when everything is confirmed (or the
   * session does not keep the server mirror, i.e. without onPendingChange).
   */
  offlineSnapshot(): OfflineSnapshot | null {
    const status = this.#collab.status;
    const server = this.#server;
    if (status.state === 'synchronized' || status.state === 'desynchronized' || !server || server.version !== this.#collab.version) return null;
    const seq = this.#collab.nextClientSeq - 1;
    const document = this.#collab.document;
    // Never sent: the server has not seen this clientSeq, so all unconfirmed edits may go under it.
    const inFlight = this.#sent?.clientSeq === seq ? this.#sent.op : server.content.diff(document);
    const afterInFlight = apply(server.content, inFlight);
    if (!afterInFlight.ok) return null;
    const buffer = afterInFlight.value.diff(document);
    return {
      documentId: this.documentId,
      clientId: this.clientId,
      title: this.title,
      role: this.#role,
      version: server.version,
      content: { ops: server.content.ops },
      inFlight: { clientSeq: seq, op: { ops: inFlight.ops } },
      buffer: buffer.ops.length > 0 ? { ops: buffer.ops } : null,
      edits: status.pendingEdits,
      savedAt: Date.now(),
    };
  }

  /** Mirrors server op `version` (raw, as sequenced) for snapshots; ours confirms #sent. */
  #mirror(version: number, delta: Delta, clientId: string | null, clientSeq: number | null): void {
    const server = this.#server;
    if (!server || version !== server.version + 1) return;
    const next = apply(server.content, delta);
    if (!next.ok) {
      this.#server = null; // cannot happen unless history diverged; stop snapshotting rather than store garbage
      return;
    }
    this.#server = { version, content: next.value };
    if (this.#sent) {
      if (clientId === this.clientId && clientSeq === this.#sent.clientSeq) this.#sent = null;
      else this.#sent = { ...this.#sent, op: transform(this.#sent.op, delta, 'right') };
    }
  }

  /**
   * Stores what is unconfirmed now through onPendingChange; resolves once a call that started
   * after this one was made has settled (so it holds everything done before). Calls never
   * overlap: while one runs, further changes share a single follow-up call, which reads the
   * state when it starts — a burst of keystrokes costs two writes, not one each, and none waits
   * on a timer (a timer would lose its last edits to a crash).
   */
  #persist(): Promise<void> {
    const store = this.#options.onPendingChange;
    if (!store) return Promise.resolve();
    if (this.#storing) return this.#storing;
    const next = this.#stored.then(async () => {
      this.#storing = null;
      const value = this.#toStore();
      if (value === undefined) return;
      try {
        await store(value);
      } catch {
        // The host could not store it: the edits live in this tab only, as before.
      }
    });
    this.#storing = next;
    this.#stored = next;
    return next;
  }

  /** What the store should hold now: a snapshot, null (nothing unconfirmed) or undefined (keep what it has). */
  #toStore(): OfflineSnapshot | null | undefined {
    // Refused for good: forget the edits (they were handed out); signed out: keep them for later.
    if (this.#fatal) return this.#fatal.code === 'UNAUTHENTICATED' ? undefined : null;
    const status = this.#collab.status;
    if (status.state === 'desynchronized') return undefined; // the reload decides; keep what is stored until then
    const snapshot = this.offlineSnapshot();
    if (snapshot === null && status.state !== 'synchronized') return undefined; // mirror catching up: keep the last one
    return snapshot;
  }

  /**
   * Stores the current snapshot (or null) now, e.g. when the page is hidden or closed; resolves
   * when the store has it. The call to the store is made within this call, not after a write in
   * progress: a page being closed runs no further task, so a write queued behind another would
   * never start, and the keystrokes typed while it ran would be lost. The store must apply
   * overlapping calls in call order (IndexedDB does: lib/api-client/offline-store.ts).
   */
  flushPending(): Promise<void> {
    const store = this.#options.onPendingChange;
    if (!store) return Promise.resolve();
    const value = this.#toStore();
    if (value === undefined) return this.#stored;
    let now: Promise<void>;
    try {
      now = Promise.resolve(store(value)).catch(() => {});
    } catch {
      now = Promise.resolve(); // the host could not store it: the edits live in this tab only
    }
    const before = this.#stored;
    this.#stored = Promise.all([before, now]).then(() => {});
    return this.#stored;
  }

  /** The person's role on the document now (OWNER, EDITOR, COMMENTER or VIEWER); followed live. */
  get role(): string {
    return this.#role;
  }

  /** Whether the role allows editing. */
  get canEdit(): boolean {
    return this.#role === 'OWNER' || this.#role === 'EDITOR';
  }

  /** The local document: server version plus unconfirmed local edits. */
  get document(): Delta {
    return this.#collab.document;
  }

  get version(): number {
    return this.#collab.version;
  }

  /** The local edits the server has not confirmed, as one op against the document at `version`; null when none. */
  get pending(): Delta | null {
    return this.#collab.pending;
  }

  /**
   * Calls `listener` with every server op (as sequenced) once this session has taken it, in
   * version order with no gaps: others' ops and this session's own once confirmed; after a
   * reload, a `reset` to the reloaded version. For following the server's order (comment
   * anchors, lib/ot/SPEC.md AN6). Answers how to stop.
   */
  onServerOp(listener: (event: ServerOpEvent) => void): () => void {
    this.#serverOpListeners.add(listener);
    return () => this.#serverOpListeners.delete(listener);
  }

  /** Tells listeners the server ops between `before` and the state machine's version (`own`: ours, just confirmed). */
  #emitServerOps(before: number, own?: { version: number; delta: Delta }): void {
    if (this.#serverOpListeners.size === 0) return;
    for (let version = before + 1; version <= this.#collab.version; version += 1) {
      const delta = own?.version === version ? own.delta : this.#history.get(version);
      if (!delta) return;
      for (const listener of this.#serverOpListeners) listener({ kind: 'op', version, delta });
    }
  }

  get status(): SessionStatus {
    const status = this.#collab.status;
    return { ...status, indicator: saveIndicator(status) };
  }

  /** How many ops this session has given a clientSeq (1…issuedOps), confirmed or not. */
  get issuedOps(): number {
    return this.#collab.nextClientSeq - 1;
  }

  get peers(): ReadonlyMap<string, Peer> {
    return this.#peers;
  }

  get fatal(): SessionFatal | null {
    return this.#fatal;
  }

  /**
   * Records a local edit (made against `document`); it is sent when the server is reachable.
   * Refused (nothing changes; take it back on screen and show the message) when the server would
   * refuse it as too large, alone or together with the unsaved edits it would be sent with: sent,
   * it could only fail, and take the edits pending with it.
   */
  applyLocal(op: Delta): ApplyLocalResult {
    const tooLarge = this.#tooLarge(op);
    if (tooLarge !== null) return { kind: 'refused', code: 'PAYLOAD_TOO_LARGE', message: tooLarge };
    const result = this.#collab.applyLocal(op);
    if (result.kind === 'applied' && op.ops.length > 0) this.#movePeers(op, true);
    return result;
  }

  /** Why the server would refuse `op` as too large (lib/ot/limits.ts), or null. */
  #tooLarge(op: Delta): string | null {
    const { maxInsertLength, maxComponents } = DEFAULT_LIMITS;
    const alone = measure(op);
    if (alone.inserted > maxInsertLength) {
      return `That change was taken back: it inserts ${count(alone.inserted)} characters, and one change may insert at most ${count(maxInsertLength)}. Paste it in smaller parts.`;
    }
    if (alone.components > maxComponents) {
      return `That change was taken back: it has ${count(alone.components)} differently formatted parts, and one change may have at most ${count(maxComponents)}. Paste it in smaller parts.`;
    }
    // Edits made while others are unconfirmed are sent together with them, as one op.
    const pending = this.#collab.pending;
    if (pending === null) return null;
    const before = measure(pending);
    if (before.inserted + alone.inserted <= maxInsertLength && before.components + alone.components <= maxComponents) return null;
    // Suggestion marks count towards the size too (SG3); plain ops pass it exactly as validateOp.
    const joined = validateSuggestionOp(compose(pending, op));
    if (joined.ok || joined.code !== 'PAYLOAD_TOO_LARGE') return null;
    return `That change was taken back: with your changes still being saved it would be more than one change may hold (${count(maxInsertLength)} characters). Wait until the status says "Saved", then paste it again.`;
  }

  /** Sets the local selection and tells the others (throttled; deferred while edits are unconfirmed). */
  setSelection(selection: Selection | null): void {
    this.#collab.setSelection(selection);
    this.#queuePresence();
  }

  /** Stops following the document and leaves presence. The graphql-ws client stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offClient.splice(0)) off();
    this.#stopOps?.();
    this.#stopPresence?.();
    this.#stopRole?.();
    for (const timer of [this.#ackTimer, this.#retryTimer, this.#presenceTimer, this.#presenceRetry]) if (timer) clearTimeout(timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    // The connection may outlive this session (another editor in the same tab): without this,
    // it would keep our presence entry fresh and others would see a cursor that no longer moves.
    if (this.#options.presence !== false) {
      await request(this.#client, LEAVE_PRESENCE, { documentId: this.documentId, clientId: this.clientId }).catch(() => {});
    }
  }

  #start(): void {
    this.#offClient.push(
      this.#client.on('closed', () => {
        if (this.#closed) return;
        this.#collab.onDisconnect();
        // graphql-ws would resubscribe with the old fromVersion; resubscribe from ours instead.
        this.#stopOps?.();
        this.#stopPresence?.();
        this.#stopRole?.();
        if (this.#presenceRetry) clearTimeout(this.#presenceRetry);
        this.#presenceRetry = null;
        this.#subscribeOps();
        this.#subscribeRole();
        if (this.#options.presence !== false) this.#subscribePresence();
      }),
      this.#client.on('connected', () => {
        if (this.#closed || this.#collab.status.connected) return;
        if (this.#roleConfirmed) this.#collab.onReconnect();
        else void this.#confirmRole();
        this.#sendPresence();
      }),
    );
    this.#subscribeOps();
    this.#subscribeRole();
    if (this.#options.presence !== false) {
      this.#subscribePresence();
      this.#sendPresence();
      this.#heartbeat = setInterval(() => this.#sendPresence(), PRESENCE_HEARTBEAT_MS);
    }
  }

  #subscribeOps(): void {
    this.#stopOps = this.#client.subscribe<ResultOf<typeof DOCUMENT_OPERATION_BATCHES>>(
      { query: DOCUMENT_OPERATION_BATCHES.toString(), variables: { documentId: this.documentId, fromVersion: this.#collab.version } },
      {
        next: (result) => {
          const error = firstError(result);
          if (error) return this.#onStreamError(error);
          const ops = result.data?.documentOperationBatches?.operations;
          if (!ops) return;
          // Consecutive versions, ascending: each goes through the state machine in order.
          for (const op of ops) {
            if (this.#closed) return;
            this.#receive(op);
          }
        },
        error: () => {
          // The socket closed; the 'closed' handler resubscribes.
        },
        complete: () => {},
      },
    );
  }

  /** One server op, from the stream or a catch-up page: repeats (version already reached) are ignored. */
  #receive(op: { version: number; delta: unknown; clientId: string; clientSeq: number }): void {
    const delta = deltaFromJson(op.delta);
    this.#mirror(op.version, delta, op.clientId, op.clientSeq);
    this.#history.set(op.version, delta);
    this.#history.delete(op.version - HISTORY);
    const before = this.#collab.version;
    this.#collab.receiveRemote({ version: op.version, delta, clientId: op.clientId, clientSeq: op.clientSeq });
    this.#emitServerOps(before);
  }

  #subscribeRole(): void {
    this.#stopRole = this.#client.subscribe<ResultOf<typeof MY_DOCUMENT_ROLE>>(
      { query: MY_DOCUMENT_ROLE.toString(), variables: { documentId: this.documentId } },
      {
        next: (result) => {
          const error = firstError(result);
          if (error) {
            const code = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
            if (FATAL.has(code)) this.#fail({ code, message: error.message });
            return;
          }
          const role = result.data?.myDocumentRole;
          if (role) this.#setRole(role);
        },
        error: () => {
          // The socket closed; the 'closed' handler resubscribes.
        },
        complete: () => {},
      },
    );
  }

  #setRole(role: string): void {
    if (role === this.#role || this.#closed) return;
    this.#role = role;
    this.#options.onRole?.(role);
  }

  /**
   * The server refused an edit because the person may no longer edit: their role changed after
   * they typed and before the edit reached it. Hand the unsaved edits to the host to show, and
   * go back to the server's text (with the new role) instead of ending the session.
   */
  #onEditRefused(message: string): void {
    const unsent = this.#collab.pending;
    if (unsent && unsent.ops.length > 0) this.#options.onUnsent?.(unsent, message, 'role');
    void this.#reload(null);
  }

  #onStreamError(error: GraphQLErrorLike): void {
    const code = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
    if (FATAL.has(code)) return this.#fail({ code, message: error.message });
    // VERSION_TOO_OLD or an interrupted stream: reload from the server.
    void this.#reload(this.#collab.pending);
  }

  #send(submission: Submission): void {
    if (this.#closed) return;
    const { clientSeq } = submission;
    if (!this.#options.onPendingChange) return this.#transmit(submission);
    if (this.#server) this.#sent = { clientSeq, op: submission.delta };
    // Stored first, sent after (issue 20): an op the server may apply is never one the store
    // lacks, so a crash right after sending cannot lose it, nor resume it under another clientSeq.
    // A store that hangs (IndexedDB blocked) must not stop saving altogether: past
    // STORE_WAIT_MS the op goes anyway, as it would with no store at all.
    let waited: ReturnType<typeof setTimeout> | undefined;
    void Promise.race([this.#persist(), new Promise<void>((resolve) => (waited = setTimeout(resolve, STORE_WAIT_MS)))]).then(() => {
      clearTimeout(waited);
      if (!this.#closed && this.#inFlight(clientSeq)) this.#transmit(submission);
    });
  }

  #transmit(submission: Submission): void {
    const { clientSeq } = submission;
    this.#armAckTimer(clientSeq);
    const suggesting = submissionRoute(this.#role, this.suggesting, submission.delta) === 'suggestOperation';
    const input = { input: { ...submission, delta: { ops: submission.delta.ops } } };
    const answered = suggesting
      ? request(this.#client, SUGGEST_OPERATION, input).then((r) => ({ errors: r.errors, data: r.data?.suggestOperation }))
      : request(this.#client, SUBMIT_OPERATION, input).then((r) => ({ errors: r.errors, data: r.data?.submitOperation }));
    answered.then(
      (result) => {
        const error = firstError(result);
        const data = result.data;
        if (data) {
          const delta = deltaFromJson(data.delta);
          const answer: SubmitResult = { kind: data.duplicate ? 'duplicate' : 'applied', version: data.version, delta };
          this.#retryDelayMs = 1_000;
          this.#catchUpRounds = 0;
          // The state machine confirms (and so moves to data.version) only for the op in flight.
          if (this.#inFlight(clientSeq) && data.version === this.#collab.version + 1) this.#mirror(data.version, delta, this.clientId, clientSeq);
          const before = this.#collab.version;
          // The answer may differ from what this editor applied (a suggestion converted again at
          // head, SG15; a keystroke placed before a grown proposal, PL11): the state machine takes
          // the server's form and rebases what is pending onto it (C5), so no reload.
          this.#collab.receiveAck(clientSeq, answer);
          this.#emitServerOps(before, { version: data.version, delta });
          return;
        }
        const code = error?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
        const message = error?.message ?? 'The server gave no answer.';
        if (code === 'FORBIDDEN') return this.#onEditRefused(message);
        if (FATAL.has(code)) return this.#fail({ code, message });
        if (code === 'VERSION_TOO_OLD') return void this.#catchUp(clientSeq, message);
        if (code === 'RATE_LIMITED' || code === 'SERVICE_UNAVAILABLE') return this.#resendAfter(error?.extensions?.retryAfterSeconds);
        // CONFLICT (others kept winning) is worth retrying; anything else means our state is wrong.
        const mapped = code === 'CONFLICT' || code === 'INTERNAL_SERVER_ERROR' ? 'CONFLICT_RETRIES_EXHAUSTED' : code;
        this.#collab.receiveAck(clientSeq, { kind: 'rejected', code: mapped as never, message });
      },
      () => {
        // Connection lost before the answer: the op is resent (same clientSeq) after the reconnect.
      },
    );
  }

  /** Whether the op numbered `clientSeq` is the one in flight (not yet confirmed). */
  #inFlight(clientSeq: number): boolean {
    return this.#collab.status.state.startsWith('awaiting') && this.#collab.nextClientSeq - 1 === clientSeq;
  }

  /**
   * The server refused the in-flight op as too far behind [PL8]: it was refused before anything
   * was stored. Read the missed ops (pages of `document.operations`) up to the head through the
   * stream's path, so the state machine rebases the in-flight op and buffer over them as over any
   * remote op [C3], then resend the in-flight op under its own clientSeq, now based on the head —
   * as after a reconnect [C7]: had an earlier send of it been applied, it is in the pages and
   * confirms it [C5], and a resend the server already has answers `duplicate` [S2]. Only when the
   * history is gone, the document or access is, or catching up keeps being overtaken, are the
   * edits given up: reloaded and handed out to copy, as before.
   */
  async #catchUp(clientSeq: number, message: string): Promise<void> {
    if (this.#catchingUp || this.#closed || !this.#inFlight(clientSeq)) return;
    const giveUp = () => {
      this.#catchUpRounds = 0;
      this.#collab.receiveAck(clientSeq, { kind: 'rejected', code: 'VERSION_TOO_OLD', message });
    };
    if (++this.#catchUpRounds > CATCH_UP_ROUNDS) return giveUp();
    this.#catchingUp = true;
    const first = Math.min(1_000, Math.max(1, this.#options.catchUpPageSize ?? 200));
    try {
      for (;;) {
        const result = await request(this.#client, DOCUMENT_OPERATIONS, { id: this.documentId, fromVersion: this.#collab.version, first });
        if (this.#closed) return;
        const ops = result.data?.document?.operations;
        if (!ops) {
          const error = firstError(result);
          const code = error?.extensions?.code ?? 'NOT_FOUND';
          if (FATAL.has(code)) return this.#fail({ code, message: error?.message ?? 'The document is no longer available to you.' });
          if (code === 'RATE_LIMITED' || code === 'SERVICE_UNAVAILABLE') {
            // The resend is refused again and comes back here (one more round).
            return this.#resendAfter(error?.extensions?.retryAfterSeconds);
          }
          return giveUp(); // VERSION_TOO_OLD: the missed ops are no longer kept
        }
        for (const op of ops) this.#receive(op);
        if (this.#collab.status.state === 'desynchronized') return;
        if (ops.length < first) break;
      }
    } catch {
      return; // Connection lost: the reconnect resends the op, and a new refusal catches up again.
    } finally {
      this.#catchingUp = false;
    }
    if (this.#inFlight(clientSeq)) this.#collab.resend();
  }

  #armAckTimer(clientSeq: number): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = null;
      // Still waiting for this very op on a live connection: the answer was lost, or the server
      // is too busy to give it. Resending at once would add to its queue exactly when every other
      // client times out too, so back off as after a retryable refusal.
      const status = this.#collab.status;
      if (status.connected && status.state !== 'synchronized' && this.#collab.nextClientSeq === clientSeq + 1) this.#backOffAndResend();
    }, this.#options.ackTimeoutMs ?? 10_000);
  }

  /**
   * Resends the in-flight op after a delay that doubles each time (1–2 s, 2–4 s, then 4–8 s; random
   * within each range, so clients refused or timed out together do not come back together);
   * the next answer resets it.
   */
  #backOffAndResend(): void {
    this.#retryDelayMs = Math.min(8_000, this.#retryDelayMs * 2);
    this.#scheduleResend(this.#retryDelayMs / 2 + Math.random() * (this.#retryDelayMs / 2));
  }

  /** Resends the in-flight op after a refusal for load, after {@link rateLimitedWaitMs}. */
  #resendAfter(retryAfterSeconds: unknown): void {
    this.#scheduleResend(rateLimitedWaitMs(retryAfterSeconds, Math.random));
  }

  #scheduleResend(delayMs: number): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#collab.resend();
    }, delayMs);
  }

  /**
   * The document as the server has it now, with the person's role taken from it; null (and the
   * session failed) when it is no longer theirs to open. Rejects when the connection is down.
   */
  async #readAgain(): Promise<NonNullable<OpenDocumentResult['document']> | null> {
    const result = await request(this.#client, OPEN_DOCUMENT, { id: this.documentId });
    const document = result.data?.document;
    if (!document) {
      const error = firstError(result);
      this.#fail({ code: error?.extensions?.code ?? 'NOT_FOUND', message: error?.message ?? 'The document is no longer available to you.' });
      return null;
    }
    this.#setRole(document.myRole);
    return document;
  }

  async #reload(lost: Delta | null): Promise<void> {
    if (this.#reloading || this.#closed) return;
    this.#reloading = true;
    try {
      const document = await this.#readAgain();
      if (!document) return;
      const content = deltaFromJson(document.content);
      this.#stopOps?.();
      this.#history.clear();
      this.#collab.resync(document.version, content);
      for (const listener of this.#serverOpListeners) listener({ kind: 'reset', version: document.version });
      if (this.#options.onPendingChange) this.#server = { version: document.version, content };
      this.#sent = null;
      this.#resumedEdits = 0;
      void this.#persist(); // synchronized now: stores null
      this.#options.onReload?.(content, lost);
      this.#subscribeOps();
    } catch {
      // Offline: the reconnect handler resubscribes; a later desync retries the reload.
    } finally {
      this.#reloading = false;
    }
  }

  #fail(fatal: SessionFatal): void {
    if (this.#fatal) return;
    // Refused for good: hand the unsaved edits out (the person can copy them), then forget them.
    const unsent = this.#collab.pending;
    if (unsent && unsent.ops.length > 0) this.#options.onUnsent?.(unsent, fatal.message, 'refused');
    this.#fatal = fatal;
    // Stores null, or (signed out meanwhile) keeps them stored for when the person signs in again.
    void this.#persist();
    this.#options.onFatal?.(fatal);
    void this.close();
  }

  #onStatus(status: ClientStatus): void {
    if (status.state === 'synchronized' && this.#ackTimer) {
      clearTimeout(this.#ackTimer);
      this.#ackTimer = null;
    }
    if (status.state === 'synchronized') {
      this.#queuePresence();
      this.#resumedEdits = 0;
    }
    void this.#persist();
    this.#options.onStatus?.({ ...status, indicator: saveIndicator(status) });
  }

  // --- presence ---------------------------------------------------------------------------

  #subscribePresence(): void {
    this.#stopPresence = this.#client.subscribe<ResultOf<typeof PRESENCE>>(
      { query: PRESENCE.toString(), variables: { documentId: this.documentId } },
      {
        next: (result) => {
          const event = result.data?.presence;
          // Our own entry is (our user, this.clientId); someone else reusing our clientId only
          // hides themselves from us, and is a separate peer for everyone else.
          if (!event || event.clientId === this.clientId) return;
          const key = peerKey(event.user.id, event.clientId);
          this.#ahead.delete(key);
          if (event.left) this.#peers.delete(key);
          else {
            const selection = versionedSelectionFromJson(event.selection);
            // Made at a version we have not reached: place it once we have the ops up to there
            // (placing it now and then moving it through those ops would shift it twice).
            if (selection && selection.version > this.#collab.version) this.#ahead.set(key, selection);
            this.#peers.set(key, {
              clientId: event.clientId,
              userId: event.user.id,
              name: event.user.name,
              selection: this.#ahead.has(key) ? null : this.#place(selection),
            });
          }
          this.#options.onPeers?.(this.#peers);
        },
        error: (error) => {
          // GraphQL errors: the stream could not start (presence lives in Redis, which may be
          // away); try again later. A closed socket is the 'closed' handler's to resubscribe.
          if (!Array.isArray(error) || this.#closed) return;
          this.#presenceRetry = setTimeout(() => {
            this.#presenceRetry = null;
            if (!this.#closed) this.#subscribePresence();
          }, PRESENCE_RETRY_MS);
        },
        complete: () => {},
      },
    );
  }

  /** A selection made at a server version, moved into the local document. */
  #place(selection: { index: number; length: number; version: number } | null): Selection | null {
    if (!selection) return null;
    let placed: Selection = { index: selection.index, length: selection.length };
    for (let v = selection.version + 1; v <= this.#collab.version; v++) {
      const op = this.#history.get(v);
      if (op) placed = transformSelection(placed, op);
    }
    const pending = this.#collab.pending;
    if (pending) placed = transformSelection(placed, pending);
    const max = Math.max(0, this.#collab.document.length() - 1);
    const index = Math.min(placed.index, max);
    return { index, length: Math.min(placed.length, max - index) };
  }

  #movePeers(op: Delta, local = false): void {
    if (this.#peers.size === 0) return;
    for (const [key, peer] of this.#peers) {
      const ahead = this.#ahead.get(key);
      if (ahead) {
        // `op` is already applied; once we reach the selection's version, place it from history.
        if (ahead.version <= this.#collab.version) {
          this.#ahead.delete(key);
          this.#peers.set(key, { ...peer, selection: this.#place(ahead) });
        }
      } else if (peer.selection) this.#peers.set(key, { ...peer, selection: transformSelection(peer.selection, op, false) });
    }
    if (local) this.#options.onPeers?.(this.#peers);
    else queueMicrotask(() => this.#options.onPeers?.(this.#peers));
  }

  #queuePresence(): void {
    if (this.#options.presence === false || this.#presenceTimer) return;
    const wait = Math.max(0, this.#lastPresenceSent + 100 - Date.now());
    this.#presenceTimer = setTimeout(() => {
      this.#presenceTimer = null;
      this.#sendPresence();
    }, wait);
  }

  #sendPresence(): void {
    if (this.#closed || this.#options.presence === false) return;
    // Our selection is in local coordinates; it matches server version `version` only when no
    // local edit is unconfirmed, so wait for the confirmation (the status handler calls back).
    if (this.#collab.pending) return;
    // One update in flight at a time: the server may run two updates of one connection
    // concurrently and publish them out of order, which would leave others with a stale caret.
    if (this.#presenceInFlight) {
      this.#presenceDirty = true;
      return;
    }
    this.#presenceInFlight = true;
    this.#presenceDirty = false;
    this.#lastPresenceSent = Date.now();
    const selection = this.#collab.selection;
    void request(this.#client, UPDATE_PRESENCE, {
      documentId: this.documentId,
      clientId: this.clientId,
      selection: selection ? { ...selection, version: this.#collab.version } : null,
    })
      .catch(() => {})
      .finally(() => {
        this.#presenceInFlight = false;
        if (this.#presenceDirty) this.#queuePresence();
      });
  }
}

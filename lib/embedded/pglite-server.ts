/**
 * PGlite (PostgreSQL compiled to WebAssembly, one backend in this process) served over the
 * PostgreSQL wire protocol on a unix socket, so `pg`, Prisma and the migration runner talk to it
 * exactly as to a PostgreSQL server.
 *
 * Why not @electric-sql/pglite-socket's server: its multiplexer (0.2.17) queues single protocol
 * messages from all connections in one FIFO. When one client's Parse/Bind/Execute/Sync batch
 * arrives in more than one TCP read (any query with a parameter over ~64 KiB, such as a large
 * snapshot), another connection's Parse can run between this one's Parse and Bind, and the Bind
 * then executes the other statement with these parameters: wrong rows, silently. Here a
 * connection owns the one backend from the first message of a batch until the backend answers
 * ReadyForQuery with status "idle" — so a batch, and a whole transaction, never interleaves
 * with another connection's. That is stricter than PostgreSQL (one transaction at a time), which
 * is the honest price of a single-backend database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** Message types after which the client waits for an answer: run what was gathered so far. */
const BATCH_END = new Set(['S', 'Q', 'H', 'c', 'f'].map((c) => c.charCodeAt(0)));
const TERMINATE = 'X'.charCodeAt(0);
const READY_FOR_QUERY = 'Z'.charCodeAt(0);
const IDLE = 'I'.charCodeAt(0);

/** A running wire server over one PGlite instance. */
export interface PgliteWireServer {
  /** Connection string for `pg`/Prisma (`postgresql://postgres@localhost/postgres?host=<socket dir>`). */
  readonly url: string;
  /** Connections open now. */
  connections(): number;
  /** Stops accepting, ends every connection (rolling back open transactions) and removes the socket. */
  close(): Promise<void>;
}

/** A FIFO mutex: the backend has one owner at a time, in arrival order. */
class Turnstile {
  #owner: symbol | null = null;
  readonly #waiting: Array<{ who: symbol; go: () => void }> = [];

  acquire(who: symbol): Promise<void> {
    if (this.#owner === null) {
      this.#owner = who;
      return Promise.resolve();
    }
    return new Promise((go) => this.#waiting.push({ who, go }));
  }

  release(who: symbol): void {
    if (this.#owner !== who) return;
    const next = this.#waiting.shift();
    this.#owner = next?.who ?? null;
    next?.go();
  }

  /** Forgets a waiter that disconnected before its turn. */
  forget(who: symbol): void {
    const i = this.#waiting.findIndex((w) => w.who === who);
    if (i >= 0) this.#waiting.splice(i, 1);
  }
}

/** Whether the last message of a backend answer is ReadyForQuery with status idle. */
export function endsIdle(answer: Uint8Array): boolean {
  let i = 0;
  let lastType = -1;
  let lastStatus = -1;
  const view = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  while (i + 5 <= answer.length) {
    const type = answer[i] as number;
    const length = view.getInt32(i + 1);
    if (length < 4 || i + 1 + length > answer.length) break;
    lastType = type;
    lastStatus = type === READY_FOR_QUERY ? (answer[i + 5] as number) : -1;
    i += 1 + length;
  }
  return lastType === READY_FOR_QUERY && lastStatus === IDLE;
}

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message[0] = 'Q'.charCodeAt(0);
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}

/**
 * Serves `db` on a unix socket in a new private (0700) temporary directory.
 * `onError` hears backend failures (a failed batch closes only its own connection).
 */
export async function servePglite(db: PGlite, onError: (error: unknown) => void = () => {}): Promise<PgliteWireServer> {
  const socketDir = await mkdtemp(join(tmpdir(), 'verso-pg-'));
  const turnstile = new Turnstile();
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const me = Symbol('connection');
    let owns = false;
    let started = false;
    let closed = false;
    let pending: Buffer = Buffer.alloc(0);
    let batch: Buffer[] = [];
    // Batches of one connection run in order; each waits for the backend to be free.
    let chain: Promise<void> = Promise.resolve();

    const run = async (bytes: Buffer): Promise<void> => {
      if (closed) return;
      if (!owns) {
        await turnstile.acquire(me);
        owns = true;
        if (closed) return release();
      }
      try {
        const answer = await db.execProtocolRaw(new Uint8Array(bytes));
        if (!closed && answer.length > 0) socket.write(answer);
        if (endsIdle(answer)) release();
      } catch (error) {
        onError(error);
        socket.destroy();
      }
    };

    const release = () => {
      owns = false;
      turnstile.release(me);
    };

    /** A client that vanished mid-transaction: roll its transaction back before anyone else runs. */
    const abandon = async (): Promise<void> => {
      if (!owns) return;
      try {
        let answer = await db.execProtocolRaw(simpleQuery('ROLLBACK'));
        if (!endsIdle(answer)) {
          // Still inside an extended-protocol sequence: end it, then roll back what it began.
          await db.execProtocolRaw(new Uint8Array([0x53, 0, 0, 0, 4]));
          answer = await db.execProtocolRaw(simpleQuery('ROLLBACK'));
        }
      } catch (error) {
        onError(error);
      } finally {
        release();
      }
    };

    const enqueue = (bytes: Buffer) => {
      chain = chain.then(() => run(bytes));
    };

    socket.on('data', (data: Buffer) => {
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      for (;;) {
        if (!started) {
          if (pending.length < 8) return;
          const length = pending.readInt32BE(0);
          const code = pending.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write('N'); // no encryption on a private unix socket
            pending = pending.subarray(8);
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end(); // one backend, nothing to signal: PostgreSQL also answers nothing
            return;
          }
          if (code !== PROTOCOL_3 || length < 8 || length > 10_000) {
            socket.destroy();
            return;
          }
          if (pending.length < length) return;
          enqueue(Buffer.from(pending.subarray(0, length)));
          pending = pending.subarray(length);
          started = true;
          continue;
        }
        if (pending.length < 5) return;
        const type = pending[0] as number;
        const total = 1 + pending.readInt32BE(1);
        if (total < 5) {
          socket.destroy();
          return;
        }
        if (pending.length < total) return;
        const message = Buffer.from(pending.subarray(0, total));
        pending = pending.subarray(total);
        if (type === TERMINATE) {
          socket.end();
          return;
        }
        batch.push(message);
        if (BATCH_END.has(type)) {
          enqueue(Buffer.concat(batch));
          batch = [];
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      closed = true;
      sockets.delete(socket);
      // A waiter that never got its turn just leaves the line (its chain stays parked, harmless).
      turnstile.forget(me);
      chain = chain.then(abandon);
    });
  });

  const path = join(socketDir, '.s.PGSQL.5432');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    connections: () => sockets.size,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
      await rm(socketDir, { recursive: true, force: true });
    },
  };
}

/**
 * Presence follows access (issue 21 item 2): when someone is removed from a document, demoted, or
 * the document goes to the trash, their presence entries there disappear for everyone at once
 * (or, demoted below `edit`, lose their selection), instead of lingering until the connection that
 * announced them closes.
 *
 * Every instance with presence subscribers on a document, or with connections that announced
 * presence on it, keeps one guard for that document. The guard re-reads the roles of everyone
 * present whenever access may have changed: on the document's access-change message
 * (lib/pubsub/access-events.ts), when the Redis subscriber comes back (a message may have been
 * lost), and every `config.accessRecheckMs` (15 s) as the fallback. For each person who lost
 * access it first stops this instance's connections from refreshing their entries, then withdraws
 * the entries from the shared store, which announces `left` once however many instances do it.
 */
import { roleAllows, type DocumentGrant } from '../lib/auth/permissions.ts';
import type { ConnectionState, Services } from './context.ts';

interface Guard {
  subscribers: number;
  /** Connections of this instance that announced presence on the document. */
  readonly holders: Set<ConnectionState>;
  readonly stop: Promise<() => void>;
  /** A check is running; `again` asks for one more after it (a change arrived meanwhile). */
  running: boolean;
  again: boolean;
}

const guardsByServices = new WeakMap<Services, Map<string, Guard>>();

function guardFor(services: Services, documentId: string): Guard {
  let guards = guardsByServices.get(services);
  if (!guards) guardsByServices.set(services, (guards = new Map()));
  const found = guards.get(documentId);
  if (found) return found;
  const trigger = () => void check(services, documentId, guard);
  const guard: Guard = {
    subscribers: 0,
    holders: new Set(),
    running: false,
    again: false,
    stop: (async () => {
      const timer = setInterval(trigger, services.config.accessRecheckMs);
      timer.unref();
      const stopResubscribed = services.pubsub.onResubscribed(trigger);
      const stopEvents = await services.accessEvents.subscribe(documentId, trigger).catch(() => () => {});
      return () => {
        clearInterval(timer);
        stopResubscribed();
        stopEvents();
      };
    })(),
  };
  guards.set(documentId, guard);
  return guard;
}

/** Ends the guard when nobody on this instance needs it any more. */
function release(services: Services, documentId: string, guard: Guard): void {
  const guards = guardsByServices.get(services);
  if (guard.subscribers > 0 || guard.holders.size > 0 || guards?.get(documentId) !== guard) return;
  guards.delete(documentId);
  void guard.stop.then((stop) => stop());
}

/**
 * For a presence subscription: keeps the document's entries in line with access while it lives,
 * starting with a check now. Answers how to stop.
 */
export function guardPresenceWhileSubscribed(services: Services, documentId: string): () => void {
  const guard = guardFor(services, documentId);
  guard.subscribers += 1;
  void check(services, documentId, guard);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    guard.subscribers -= 1;
    release(services, documentId, guard);
  };
}

/**
 * For a connection that announced presence on the document: its entries there are withdrawn (and
 * no longer refreshed) when its user loses access. Held until a check finds the connection has no
 * entry on the document any more (it left or closed).
 */
export function guardPresenceOfConnection(services: Services, documentId: string, connection: ConnectionState): void {
  guardFor(services, documentId).holders.add(connection);
}

const onDocument = (connection: ConnectionState, documentId: string) => [...connection.presence].filter(([, e]) => e.documentId === documentId);

async function check(services: Services, documentId: string, guard: Guard): Promise<void> {
  if (guard.running) {
    guard.again = true;
    return;
  }
  guard.running = true;
  try {
    do {
      guard.again = false;
      await checkOnce(services, documentId, guard);
    } while (guard.again);
  } catch (error) {
    // Redis or PostgreSQL unreachable: the next message or round tries again.
    services.logger.warn({ err: error, documentId }, 'presence access check failed');
  } finally {
    guard.running = false;
    release(services, documentId, guard);
  }
}

async function checkOnce(services: Services, documentId: string, guard: Guard): Promise<void> {
  for (const connection of guard.holders) if (onDocument(connection, documentId).length === 0) guard.holders.delete(connection);
  const users = new Set((await services.presence.list(documentId)).map((e) => e.userId));
  for (const connection of guard.holders) for (const [, e] of onDocument(connection, documentId)) users.add(e.userId);
  if (users.size === 0) return;
  const [document, members] = await Promise.all([
    services.prisma.document.findUnique({ where: { id: documentId }, select: { deletedAt: true } }),
    services.prisma.documentMember.findMany({ where: { documentId, userId: { in: [...users] } }, select: { userId: true, role: true } }),
  ]);
  const roles = new Map(members.map((m) => [m.userId, m.role]));
  for (const userId of users) {
    const grant: DocumentGrant = { kind: 'document', role: roles.get(userId) ?? null, deleted: document === null || document.deletedAt !== null };
    const what = !roleAllows('read', grant) ? 'presence' : !roleAllows('edit', grant) ? 'selection' : null;
    if (what === null) continue;
    // This instance's connections first, so none of them refreshes the entry back.
    for (const connection of guard.holders) {
      for (const [key, e] of onDocument(connection, documentId)) {
        if (e.userId !== userId) continue;
        if (what === 'presence') connection.presence.delete(key);
        else connection.presence.set(key, { ...e, selection: null });
      }
    }
    await services.presence.withdraw(documentId, userId, what);
  }
}

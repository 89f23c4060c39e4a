/**
 * "Who may see this document changed" (a role changed, a collaborator was removed), announced
 * after the change commits so live subscriptions on every instance re-ask `can()` and end when
 * the answer is no. Same channel and payload as lib/pubsub/access-events.ts (its listeners use
 * graphql-redis-subscriptions, which JSON-decodes the payload); published here from a plain
 * command connection, which is all a resolver holds.
 */
import type { Redis } from 'ioredis';

/** The per-document channel (must match lib/pubsub/access-events.ts). */
export const accessChangedChannel = (redisPrefix: string, documentId: string) => `${redisPrefix}doc:${documentId}:access`;

/** Announces to every instance that access to the document changed; listeners re-read the database. */
export async function publishAccessChange(redis: Redis, redisPrefix: string, documentId: string): Promise<void> {
  await redis.publish(accessChangedChannel(redisPrefix, documentId), JSON.stringify(1));
}

/**
 * The context every resolver receives, built the same way for HTTP and WebSocket requests.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import type { PrismaClient } from '../lib/db/client.ts';

/** Process-wide dependencies, created once at start and shared by both transports. */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly prisma: PrismaClient;
  /** Commands (rate limits, presence); pub/sub uses connections of its own. */
  readonly redis: Redis;
}

/** Who is calling, resolved from the session cookie or an API token. */
export interface Viewer {
  readonly userId: string;
  readonly email: string;
  readonly name: string | null;
}

export interface GraphQLContext {
  readonly services: Services;
  readonly viewer: Viewer | null;
  readonly transport: 'http' | 'ws';
  readonly requestId: string;
  readonly logger: Logger;
}

/**
 * The Next app behind the custom server: pages, static assets and next-auth's route handlers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import type { Config } from '../config.ts';

export interface WebHandler {
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Dev only: hot-reload WebSockets; undefined in production. */
  readonly handleUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  close(): Promise<void>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Prepares Next (dev or production build); `inertServer` receives Next's own upgrade listener. */
export async function createWebHandler(config: Config, inertServer: EventEmitter): Promise<WebHandler> {
  const app = next({
    dev: config.dev,
    dir: ROOT,
    hostname: config.host,
    port: config.port,
    httpServer: inertServer as never,
    quiet: !config.dev,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  // `getUpgradeHandler()` does nothing in Next 16.4; the router server's handler does (dev HMR).
  const upgrade = (app as unknown as { upgradeHandler?: (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> }).upgradeHandler;
  return {
    handleRequest: (req, res) => handle(req, res),
    handleUpgrade: config.dev && upgrade ? (req, socket, head) => void upgrade(req, socket, head) : undefined,
    close: () => app.close(),
  };
}

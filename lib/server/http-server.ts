/**
 * One Node process, one port: the Next app, GraphQL over HTTP at /api/graphql, graphql-ws on the
 * same path, and the health endpoints. Used by server.ts and by the integration tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { createApollo } from '../../graphql/apollo.ts';
import { sessionTokenFromCookieHeader } from '../auth/cookies.ts';
import { originAllowed, originRefusedMessage } from '../auth/request-helpers.ts';
import { AUTH_BASE_PATH, createNextAuth } from '../auth/next-auth.ts';
import { CredentialRevocations } from '../auth/revocation.ts';
import { createAuthRoutes } from '../auth/routes.ts';
import { createViewerResolver } from '../auth/viewer.ts';
import type { GraphQLContext, Services } from '../../graphql/context.ts';
import { contextFailure } from '../../graphql/errors.ts';
import { handleGraphQLHttp, sendError } from '../../graphql/http-transport.ts';
import { getSchema } from '../../graphql/schema.ts';
import { CLOSE_SERVICE_RESTART, serveGraphQLWs, WS_MAX_PAYLOAD } from '../../graphql/ws-transport.ts';
import type { Config } from '../config.ts';
import { ensureDatabase, migrate } from '../migrator/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/embedded-postgres.ts';
import { offerEmbeddedDatabase } from './next-bridge.ts';
import type { Logger } from '../logger.ts';
import { metricsAllowed } from '../metrics/metrics.ts';
import { EXPORT_PATH, handleExport } from './export-route.ts';
import { handleImport, IMPORT_PATH } from './import-route.ts';
import { startSearchIndexer } from '../search/search-indexer.ts';
import { checkRedis } from './preflight.ts';
import { applyPageCsp, rawUpgradeRefusal, setSecurityHeaders } from './security-headers.ts';
import { closeServices, createServices, servicesReady } from './services.ts';
import { createWebHandler, type WebHandler } from './web.ts';

export const GRAPHQL_PATH = '/api/graphql';

export interface StartOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Serve the Next app too (false in tests that only need the API). */
  readonly web: boolean;
  /** Grace period for in-flight requests at shutdown. */
  readonly shutdownGraceMs?: number;
}

export interface VersoServer {
  /** http://host:port of the listening server. */
  readonly url: string;
  readonly port: number;
  readonly services: Services;
  /** Drains and stops: refuses new work, closes sockets, finishes in-flight requests, closes pools. */
  close(): Promise<void>;
}

/**
 * Checks that Redis answers, creates the database if missing, applies pending migrations, then
 * listens. Without DATABASE_URL it first starts the embedded PostgreSQL (PGlite under
 * `config.dataDir`); without REDIS_URL pub/sub, presence and rate limits stay in the process.
 * Throws ServiceUnavailableError or DatabaseUnreachableError (one-line messages) when a service
 * is unreachable, EmbeddedDatabaseError when another process owns the embedded database,
 * MigrationError when the migration history cannot be applied.
 */
export async function startVersoServer(options: StartOptions): Promise<VersoServer> {
  const { config, logger } = options;
  if (config.redisUrl !== null) await checkRedis(config.redisUrl);
  const embedded: EmbeddedPostgres | null =
    config.databaseUrl === null ? await startEmbeddedPostgres(config.dataDir, (error) => logger.error({ err: error }, 'embedded database failure')) : null;
  try {
    return await startOn(options, embedded);
  } catch (error) {
    await embedded?.close();
    throw error;
  }
}

async function startOn(options: StartOptions, embedded: EmbeddedPostgres | null): Promise<VersoServer> {
  const { config, logger } = options;
  const databaseUrl = embedded?.url ?? (config.databaseUrl as string);
  if (embedded) offerEmbeddedDatabase(embedded.url);
  const local = [embedded && `embedded PostgreSQL (PGlite) in ${embedded.dataPath}`, config.redisUrl === null && 'in-process pub/sub'].filter(Boolean);
  if (local.length > 0) {
    logger.info({ embeddedDatabase: embedded !== null, inProcessPubSub: config.redisUrl === null }, `single-instance mode: ${local.join(' and ')}; several instances need PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)`);
  }
  const { created } = await ensureDatabase(databaseUrl);
  if (created) logger.info('created the database named in DATABASE_URL');
  if (config.smtpUrl === null) logger.info('no SMTP_URL: Verso sends no email, so every address counts as verified and shares reach it without confirmation');
  await migrate(databaseUrl, { log: (line) => logger.info(line) });

  const services = await createServices(config, logger, databaseUrl);
  const schema = getSchema();
  const apollo = createApollo(schema, config.production);
  await apollo.start();
  // Next attaches its own 'upgrade' listener to whatever server it is given and ends sockets on
  // app-route paths, which would kill graphql-ws; give it an inert emitter and route upgrades here.
  const web: WebHandler | null = options.web ? await createWebHandler(config, new EventEmitter()) : null;

  let draining = false;
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD });
  const revocations = new CredentialRevocations({ pubsub: services.pubsub, redisPrefix: config.redisPrefix, prisma: services.prisma, logger });
  await revocations.start();
  const resolveViewer = createViewerResolver({
    prisma: services.prisma,
    appOrigin: config.appOrigin,
    onError: (error) => logger.warn({ err: error }, 'could not record API token use'),
  });
  const nextAuth = createNextAuth({
    config,
    prisma: services.prisma,
    logger,
    onSessionDeleted: (id) => revocations.revoke({ kind: 'session', id }),
    revoke: (credential) => revocations.revoke(credential),
  });
  const authRoutes = createAuthRoutes({ config, prisma: services.prisma, rateLimiter: services.rateLimiter, logger, revocations, handlers: nextAuth.handlers });
  const stopWs = serveGraphQLWs(wss, {
    schema,
    services,
    revocations,
    resolveViewer: (request, params) => resolveViewer({ cookieHeader: request.headers.cookie, authorization: params?.authorization }),
  });

  wss.on('connection', (ws: WebSocket) => {
    services.metrics.wsConnections.inc();
    ws.once('close', () => services.metrics.wsConnections.dec());
  });

  /** Each HTTP request's id: the proxy's `X-Request-Id` when well formed, else a new one. */
  const requestIds = new WeakMap<IncomingMessage, string>();
  const httpContext = (req: IncomingMessage) => async (): Promise<GraphQLContext> => {
    const requestId = requestIds.get(req) ?? randomUUID();
    const viewer = await resolveViewer({ cookieHeader: req.headers.cookie, authorization: req.headers.authorization }).catch(contextFailure);
    return { services, viewer, transport: 'http', requestId, logger: logger.child({ requestId, transport: 'http' }) };
  };

  /** A browser request riding on the session cookie from a page of another origin (cross-site forgery). */
  const foreignCookieRequest = (req: IncomingMessage) =>
    sessionTokenFromCookieHeader(req.headers.cookie, config.appOrigin) !== null && !originAllowed(req, config);

  const server = createServer((req, res) => {
    const requestId = incomingRequestId(req) ?? randomUUID();
    requestIds.set(req, requestId);
    res.setHeader('X-Request-Id', requestId);
    setSecurityHeaders(res);
    const started = performance.now();
    res.once('finish', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      // API calls at info; pages, assets and probes at debug, or they drown everything else.
      const quiet = !path.startsWith('/api/') || path === '/api/health' || path === '/api/ready' || path === '/api/metrics';
      logger[quiet ? 'debug' : 'info'](
        { requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'http request',
      );
    });
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, requestId, url: req.url }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Something went wrong on the server; try again.');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
    if (pathname === '/api/health') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/api/ready') {
      if (draining) return sendJson(res, 503, { status: 'draining' });
      const checks = await servicesReady(services);
      return sendJson(res, checks.status === 'unavailable' ? 503 : 200, checks);
    }
    if (pathname === '/api/metrics') {
      if (!metricsAllowed(req, config.metricsToken)) {
        return sendJson(res, 403, { error: 'Metrics need METRICS_TOKEN as a Bearer token, or a direct request from this machine.' });
      }
      res.setHeader('Content-Type', services.metrics.registry.contentType);
      res.end(await services.metrics.registry.metrics());
      return;
    }
    if (pathname === GRAPHQL_PATH) {
      // Defence in depth behind Apollo's CSRF prevention and the absent CORS grant: a
      // cookie-authenticated request from a foreign page is refused outright.
      if (foreignCookieRequest(req) && req.headers.authorization === undefined) {
        return sendError(res, 403, 'FORBIDDEN', originRefusedMessage(req, config));
      }
      return handleGraphQLHttp(apollo, req, res, httpContext(req));
    }
    if (pathname.startsWith(`${AUTH_BASE_PATH}/`)) {
      // Sign-up, sign-in and sign-out are posted by the app's own pages; from a page at an
      // address this server does not accept, say which setting to change rather than failing later.
      if (req.method === 'POST' && !originAllowed(req, config)) {
        return sendJson(res, 403, { error: 'FORBIDDEN', message: originRefusedMessage(req, config) });
      }
      return authRoutes(req, res);
    }
    if (pathname === IMPORT_PATH) {
      // A POST that creates a document: refused outright when riding on the cookie from a foreign page.
      if (foreignCookieRequest(req) && req.headers.authorization === undefined) return sendError(res, 403, 'FORBIDDEN', originRefusedMessage(req, config));
      return handleImport(req, res, httpContext(req));
    }
    const exported = EXPORT_PATH.exec(pathname);
    if (exported) return handleExport(req, res, exported[1] ?? '', httpContext(req));
    if (web) {
      applyPageCsp(req, res, config.dev);
      return web.handleRequest(req, res);
    }
    sendJson(res, 404, { error: 'Not found' });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname === GRAPHQL_PATH && !draining && foreignCookieRequest(req)) {
      // Cross-site WebSocket hijacking: browsers attach cookies to WebSocket upgrades from any
      // page, and neither ws nor graphql-ws checks Origin.
      socket.end(rawUpgradeRefusal(403, originRefusedMessage(req, config)));
    } else if (pathname === GRAPHQL_PATH && !draining) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } else if (web?.handleUpgrade && !draining) {
      web.handleUpgrade(req, socket, head);
    } else {
      socket.end(rawUpgradeRefusal(404));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Keeps search current in the background (a search only reads); off with SEARCH_INDEX_INTERVAL_MS=0.
  const indexer =
    config.searchIndexer.intervalMs > 0
      ? startSearchIndexer({
          databaseUrl,
          ...config.searchIndexer,
          onError: (error, documentId) => logger.warn({ err: error, documentId }, documentId ? 'could not index a document for search' : 'search indexer pass failed'),
        })
      : null;
  const url = `http://${hostForUrl(config.host)}:${port}`;
  logger.info({ port, host: config.host }, `Verso listening on port ${port} ${listenScope(config)}: open ${openAt(config, port)}`);

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    draining = true;
    const grace = options.shutdownGraceMs ?? 10_000;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Tell every WebSocket client to reconnect, to another instance if this one is going away.
    for (const ws of wss.clients as Set<WebSocket>) ws.close(CLOSE_SERVICE_RESTART, 'Server restarting: reconnect');
    await stopWs();
    await revocations.stop();
    const forced = setTimeout(() => {
      server.closeAllConnections();
      for (const ws of wss.clients as Set<WebSocket>) ws.terminate();
    }, grace);
    await stopped;
    clearTimeout(forced);
    wss.close();
    await apollo.stop();
    await web?.close();
    await indexer?.stop();
    await closeServices(services);
    await embedded?.close();
    logger.info('Verso stopped');
  }

  return { url, port, services, close: () => (closing ??= close()) };
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** A host as it goes in a URL the server itself can be reached at (wildcards become loopback). */
function hostForUrl(host: string): string {
  if (WILDCARD_HOSTS.has(host)) return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The address a person should open: APP_ORIGIN when set, else this machine's own name. */
export function openAt(config: Config, port: number): string {
  // APP_ORIGIN's default names PORT, which is not the real port when PORT=0.
  if (config.originFromHost && config.appOrigin === `http://localhost:${config.port || 3000}`) return `http://localhost:${port}`;
  return config.appOrigin;
}

/** Who can reach the server: this machine only (the default) or other machines too. */
export function listenScope(config: Config): string {
  if (LOOPBACK_HOSTS.has(config.host)) return `on ${config.host}, this machine only; HOST=0.0.0.0 accepts other machines`;
  const where = WILDCARD_HOSTS.has(config.host) ? 'every address' : config.host;
  return config.originFromHost
    ? `on ${where}, other machines included, from any address of this machine`
    : `on ${where}, other machines included, from APP_ORIGIN/ALLOWED_ORIGINS only`;
}

function incomingRequestId(req: IncomingMessage): string | null {
  const value = req.headers['x-request-id'];
  return typeof value === 'string' && /^[\w.-]{8,128}$/.test(value) ? value : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

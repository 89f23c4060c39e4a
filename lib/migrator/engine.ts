// Prisma's schema engine compiled to WebAssembly, driven offline through @prisma/adapter-pg.
// Development-time only (authoring migrations, drift and compatibility tests): it imports
// devDependencies, so nothing the server loads may import this file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, type SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { connectClient, dropDatabase, ensureDatabase, withDatabase } from './connection.ts';
import { MIGRATION_LOCK_CONTENT, MIGRATION_LOCK_FILE, readMigrations } from './files.ts';

const require = createRequire(import.meta.url);

type Glue = typeof import('@prisma/schema-engine-wasm') & { __wbg_set_wasm(wasm: unknown): void };
let gluePromise: Promise<Glue> | undefined;

/**
 * Loads the engine once per process. The binary preferred is the one the installed `prisma`
 * CLI bundles (`prisma/build/schema_engine_bg.wasm`): it is the exact engine of that CLI
 * version, which npm does not publish separately. The JS bindings come from
 * @prisma/schema-engine-wasm (the nearest published build); its own binary is the fallback
 * when the CLI's needs imports those bindings do not provide.
 */
function loadGlue(): Promise<Glue> {
  gluePromise ??= (async () => {
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as Glue;
    const candidates = [
      path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm'),
      path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm'),
    ];
    for (const file of candidates) {
      let module: WebAssembly.Module;
      try {
        module = new WebAssembly.Module(readFileSync(file));
      } catch {
        continue;
      }
      const provided = glue as unknown as Record<string, unknown>;
      if (!WebAssembly.Module.imports(module).every((i) => typeof provided[i.name] === 'function')) continue;
      const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': provided as WebAssembly.ModuleImports });
      glue.__wbg_set_wasm(instance.exports);
      (instance.exports['__wbindgen_start'] as () => void)();
      return glue;
    }
    throw new Error('No usable schema engine wasm: reinstall prisma and @prisma/schema-engine-wasm');
  })();
  return gluePromise;
}

/** Git hash of the loaded engine build (matches @prisma/engines-version when it is the CLI's). */
export async function engineVersion(): Promise<string> {
  return (await loadGlue()).version();
}

/**
 * pg clients whose results report PostgreSQL's `"char"` (OID 18) as text (OID 25): the
 * engine's describer reads catalog columns of that type, which adapter-pg refuses. pg already
 * parses both as strings, so only the reported type changes.
 */
class CharAsTextClient extends pg.Client {}
function retypeChar<T>(value: T): T {
  for (const r of Array.isArray(value) ? value : [value]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
  }
  return value;
}
const baseQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(CharAsTextClient.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  // pg.Pool#query calls with a callback; adapter transactions use the promise form.
  const last = args.at(-1);
  if (typeof last === 'function') {
    args[args.length - 1] = (err: unknown, res: unknown) => (last as (e: unknown, r: unknown) => void)(err, err ? res : retypeChar(res));
    return baseQuery.apply(this, args);
  }
  const result = baseQuery.apply(this, args);
  return result instanceof Promise ? result.then(retypeChar) : result;
};

async function connectAdapter(databaseUrl: string, onDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, Client: CharAsTextClient });
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  const dispose = adapter.dispose.bind(adapter);
  let disposed = false;
  // Close the pool before dropping its database; adapter-pg's own shadow cleanup drops first
  // and leaks the database when connections are still open.
  adapter.dispose = async () => {
    if (disposed) return;
    disposed = true;
    await dispose();
    await onDispose?.();
  };
  return adapter;
}

function randomSuffix(): string {
  return `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Runs `fn` with a schema engine on `serverUrl`'s server, then frees it. The engine's "main"
 * database is `mainDatabaseUrl` when given, else a throwaway one; every shadow database it asks
 * for is a fresh throwaway one (never the main database). Throwaway databases are dropped
 * before this returns, even when the engine forgets to dispose them.
 *
 * @throws DatabaseUnreachableError (one line) when the server cannot be reached.
 */
export async function withSchemaEngine<T>(
  options: { serverUrl: string; schema: string; mainDatabaseUrl?: string },
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  // Fail with the one-line message before the engine wraps it in its own error text.
  await (await connectClient(withDatabase(options.serverUrl, 'postgres'))).end();
  const glue = await loadGlue();
  const opened: SqlDriverAdapter[] = [];
  const scratchAdapter = async (): Promise<SqlDriverAdapter> => {
    const url = withDatabase(options.serverUrl, `verso_shadow_${randomSuffix()}`);
    await ensureDatabase(url);
    const adapter = await connectAdapter(url, () => dropDatabase(url));
    opened.push(adapter);
    return adapter;
  };
  const mainAdapter = async (url: string): Promise<SqlDriverAdapter> => {
    const adapter = await connectAdapter(url);
    opened.push(adapter);
    return adapter;
  };
  const factory = bindMigrationAwareSqlAdapterFactory({
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    // The engine calls these detached from the object: no `this` inside.
    connect: () => (options.mainDatabaseUrl ? mainAdapter(options.mainDatabaseUrl) : scratchAdapter()),
    connectToShadowDb: scratchAdapter,
  });
  const engine = await glue.SchemaEngine.new({ datamodels: [['schema.prisma', options.schema]] }, () => {}, factory);
  try {
    return await fn(engine);
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

/** The migrations folder as the CLI hands it to the engine (its `Bl` loader). */
export async function migrationList(migrationsDir: string): Promise<MigrationList> {
  // Before the first migration there is no lock file yet and the engine could not tell the
  // provider; Verso is PostgreSQL-only, so supply what the CLI is about to write.
  let lockContent = MIGRATION_LOCK_CONTENT;
  try {
    lockContent = readFileSync(path.join(migrationsDir, MIGRATION_LOCK_FILE), 'utf8');
  } catch {
    // keep the default
  }
  const migrations = await readMigrations(migrationsDir);
  return {
    baseDir: migrationsDir,
    lockfile: { path: MIGRATION_LOCK_FILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.script } },
    })),
  } as MigrationList;
}

/** Empty filters: Verso has no externally managed tables or enums. */
export const NO_FILTERS = { externalTables: [], externalEnums: [] };

/**
 * The SQL that takes a database migrated with `migrationsDir` to `schema`, as Prisma renders it
 * (`prisma migrate diff --from-migrations … --to-schema … --script`), or `null` when they already
 * agree. The migrations are replayed on a throwaway shadow database on `serverUrl`'s server.
 */
export async function diffMigrationsToSchema(options: {
  serverUrl: string;
  migrationsDir: string;
  schema: string;
}): Promise<string | null> {
  const result = await withSchemaEngine({ serverUrl: options.serverUrl, schema: options.schema }, async (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...(await migrationList(options.migrationsDir)) },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: options.schema }] },
      script: true,
      exitCode: true, // 2 when there is a difference, 0 when there is none
      filters: NO_FILTERS,
    }),
  );
  return result.exitCode === 0 ? null : (result.stdout ?? '');
}

/**
 * `npm run cluster`: N Verso instances (CLUSTER_INSTANCES, default 2) behind nginx on one port
 * (PORT, default 3000), from deploy/nginx/verso.conf.template. Several instances need a shared
 * PostgreSQL and Redis: DATABASE_URL and REDIS_URL default to the local ones.
 *
 * Each instance is `server.ts` on a fixed loopback port; one that exits unexpectedly is started
 * again on the same port (nginx sends its share elsewhere meanwhile). Ctrl-C / SIGTERM drains
 * every instance and stops nginx.
 *
 * Prints one JSON line per event on stdout; `{"event":"ready", url, instances:[{port,pid}]}` once
 * everything answers (tests read it), `{"event":"restarted", …}` after a restart.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../bench/lib/free-port.ts';

const root = path.resolve(import.meta.dirname, '..');
const instances = Number(process.env.CLUSTER_INSTANCES ?? '2');
const publicPort = Number(process.env.PORT ?? '3000');
const host = '127.0.0.1';

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

function fail(message: string): never {
  console.error(`verso cluster: ${message}`);
  process.exit(1);
}

/** nginx from NGINX, the PATH, or Debian's location. */
function findNginx(): string {
  const candidates = [process.env.NGINX, '/usr/sbin/nginx', ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'nginx'))];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) fail('nginx is not installed: `apt-get install -y nginx` (Debian), or set NGINX to its path.');
  return found;
}

async function waitReady(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${url} exited before it was ready`);
    try {
      if ((await fetch(`${url}/api/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within ${timeoutMs / 1000} s`);
}

interface Instance {
  readonly index: number;
  readonly port: number;
  child: ChildProcess;
}

async function main(): Promise<void> {
  if (!Number.isInteger(instances) || instances < 1) fail(`CLUSTER_INSTANCES must be a whole number ≥ 1, got "${process.env.CLUSTER_INSTANCES}".`);
  if (!Number.isInteger(publicPort) || publicPort < 1 || publicPort > 65535) fail(`PORT must be from 1 to 65535, got "${process.env.PORT}".`);
  const nginx = findNginx();
  const web = process.env.VERSO_WEB !== '0';
  if (web) {
    // Build once here, not in N instances racing each other.
    const built = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/ensure-build.ts')], { stdio: 'inherit' });
    if (built.status !== 0) fail('the web build failed (see above).');
  }

  const publicUrl = `http://${host === '127.0.0.1' ? 'localhost' : host}:${publicPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/verso',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    APP_ORIGIN: process.env.APP_ORIGIN ?? publicUrl,
    // nginx is the one proxy in front: the client address is its last X-Forwarded-For entry.
    TRUST_PROXY: '1',
    HOST: host,
  };

  const runDir = await mkdtemp(path.join(tmpdir(), 'verso-cluster-'));
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort(host)));
  let stopping = false;

  const launch = (index: number, port: number): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server.ts')], {
      cwd: root,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      emit('instance-exited', { index, port, pid: child.pid, code, signal });
      // Supervise: start it again on its port after a breath (nginx routes around it meanwhile).
      setTimeout(() => {
        if (stopping) return;
        const again = launch(index, port);
        const instance = fleet[index];
        if (instance) instance.child = again;
        waitReady(`http://${host}:${port}`, 60_000, () => again.exitCode === null && again.signalCode === null).then(
          () => emit('restarted', { index, port, pid: again.pid }),
          (error: unknown) => emit('restart-failed', { index, port, error: String(error) }),
        );
      }, 1000);
    });
    return child;
  };

  const fleet: Instance[] = ports.map((port, index) => ({ index, port, child: launch(index, port) }));

  const servers = ports.map((port) => `    server ${host}:${port} max_fails=1 fail_timeout=3s;`).join('\n');
  const template = await readFile(path.join(root, 'deploy/nginx/verso.conf.template'), 'utf8');
  const conf = template
    .replaceAll('{{RUN_DIR}}', runDir)
    .replaceAll('{{SERVERS}}', servers)
    .replaceAll('{{LISTEN}}', `${host}:${publicPort}`);
  const confPath = path.join(runDir, 'nginx.conf');
  await writeFile(confPath, conf);
  await mkdir(path.join(runDir, 'logs'), { recursive: true });

  let proxy: ChildProcess | null = null;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    emit('stopping');
    proxy?.kill('SIGQUIT'); // graceful: finish open requests
    await Promise.all(
      fleet.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      ),
    );
    const nginxProcess = proxy;
    if (nginxProcess && nginxProcess.exitCode === null && nginxProcess.signalCode === null) {
      await new Promise<void>((resolve) => {
        nginxProcess.once('exit', () => resolve());
        setTimeout(() => nginxProcess.kill('SIGKILL'), 5_000).unref();
      });
    }
    await rm(runDir, { recursive: true, force: true });
    emit('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    await Promise.all(fleet.map((i) => waitReady(`http://${host}:${i.port}`, 120_000, () => i.child.exitCode === null)));
  } catch (error) {
    console.error(`verso cluster: ${String(error instanceof Error ? error.message : error)}`);
    await stopAll(1);
    return;
  }

  const nginxProcess = spawn(nginx, ['-p', runDir, '-c', confPath, '-e', 'stderr'], { stdio: ['ignore', 'inherit', 'inherit'] });
  proxy = nginxProcess;
  nginxProcess.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`verso cluster: nginx exited (${signal ?? code}); stopping the instances.`);
    void stopAll(1);
  });
  try {
    await waitReady(`http://${host}:${publicPort}`, 15_000, () => nginxProcess.exitCode === null);
  } catch (error) {
    console.error(`verso cluster: nginx did not answer on port ${publicPort}: ${String(error instanceof Error ? error.message : error)}`);
    await stopAll(1);
    return;
  }
  emit('ready', {
    url: `http://${host}:${publicPort}`,
    nginxPid: nginxProcess.pid,
    instances: fleet.map((i) => ({ index: i.index, port: i.port, pid: i.child.pid })),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

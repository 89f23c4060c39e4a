/** A free TCP port, for starting servers and tools on a port chosen up front. */
import { createServer } from 'node:net';

/** A TCP port free right now on `host` (the probe closes at once; a race with another process is unlikely). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error(`no port on ${host}`))));
    });
  });
}

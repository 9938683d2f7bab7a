import { createServer } from 'node:net';

/**
 * Ports handed out by this process: the OS may offer a port it just closed again, and two
 * servers of one test (a host's HTTP and metrics listeners) must not be given the same one.
 */
const handedOut = new Set<number>();

/** A port nothing listens on right now (the OS picks it), never one handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await ephemeralPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('freePort: the OS kept offering ports already handed out');
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

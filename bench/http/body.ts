/** The response both benchmark servers send, so they differ only in how they serve it. */
export const BENCH_BODY = {
  status: 'ok',
  server: 'modhost',
  items: [1, 2, 3],
  nested: { a: true },
};
export const BENCH_PATH = '/_synapse/client/bench/status';

/** Children announce their base URL on stdout with this prefix. */
export const READY_PREFIX = 'LISTENING ';

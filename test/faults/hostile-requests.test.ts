/**
 * Property test over generated hostile requests on a real socket (#11.2): whatever method,
 * target, Host and body a client sends, the answer is a 2xx/4xx (or 501 for a method the server
 * does not implement), never a 500, and nothing is logged at error level. The handler touches
 * everything a Request has (`signal`, `body`, `clone()`, `url`, `headers`), so a malformed
 * request that slipped through to it would surface as a 500.
 */
import { expect } from 'chai';
import { A, harness, rawSocket, readUntilClosed, type Harness } from '../web/helpers.js';
import { ServeProcess } from './serve-process.js';
import { prng } from '../helpers/prng.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const ODD_METHODS = ['TRACE', 'TRACK', 'CONNECT', 'PROPFIND', 'M-SEARCH', 'FOO', 'get'];
const TARGETS = [
  '/r',
  '/r/sub?x=1',
  '//x/r',
  '/r/../r',
  '/r/%2e%2e/r',
  '/%zz',
  '/r%00',
  '*',
  'http://h/r',
  'https://h:443/r?q',
  'http://user:pass@h/r',
  'http://user@h/r',
  'http://999.1.1.1/r',
  'http://[:::]/r',
  'http://h:99999/r',
  'ftp://h/r',
  'h/r',
  'http:/r',
  'http://[::1]/r',
  '/r#frag',
];
const HOSTS: (string | undefined)[] = [
  'localhost',
  'example.org:8008',
  '999.1.1.1',
  'a:99999',
  '[:::]',
  '[::1]:80',
  '1.2.3',
  '0x7f.1',
  'foo.123',
  'a@b',
  'a/b',
  'a?b',
  'a%41',
  '',
  'under_score',
  'x'.repeat(300),
  'h\u00e9',
  undefined,
];

function hostileRequest(rand: () => number, resource = '/r'): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const method = rand() < 0.25 ? pick(ODD_METHODS) : pick(METHODS);
  const target = pick(TARGETS).replace(/\/r(?=[/?#%]|$)/, resource);
  const lines = [`${method} ${target} HTTP/1.1`];
  const host = pick(HOSTS);
  if (host !== undefined) lines.push(`Host: ${host}`);
  if (rand() < 0.15) lines.push(`Host: ${pick(HOSTS) ?? 'other'}`);
  let body = '';
  const kind = rand();
  if (kind < 0.3) {
    body = 'x'.repeat(Math.floor(rand() * 40));
    lines.push(`Content-Length: ${body.length}`);
  } else if (kind < 0.45) {
    lines.push('Transfer-Encoding: chunked');
    body = '5\r\nhello\r\n0\r\n\r\n';
  }
  lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

describe('faults: generated hostile requests over a real socket', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = harness(
      (r) =>
        r.register(
          A,
          '/r',
          async (req) => {
            // Touch everything that needs a real undici Request, then the body.
            void req.signal.aborted;
            const copy = req.clone();
            void copy.headers.get('host');
            void new URL(req.url).pathname;
            const text = req.body === null ? '' : await req.text();
            return Response.json({ length: text.length });
          },
          { prefix: true },
        ),
      { max_request_size: 1000 },
    );
    await h.listen();
  });
  after(() => h.close());

  it('answers 400 requests of generated hostile input with 2xx/4xx/501, logging no error', async () => {
    const seed = 20261101;
    const rand = prng(seed);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const raw = hostileRequest(rand);
      const socket = await rawSocket(h.url);
      const reply = readUntilClosed(socket);
      socket.end(raw);
      const text = await reply;
      const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1] ?? 0);
      const ok = (status >= 200 && status < 500) || status === 501;
      expect(ok, `request #${i} (seed ${seed}):\n${raw}\ngot:\n${text.slice(0, 300)}`).to.equal(
        true,
      );
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const errors = h.records.filter((r) => r.level >= 50);
      expect(errors, `request #${i}:\n${raw}`).to.deep.equal([]);
    }
    // The generator reaches the handler, the validation and the method check alike.
    expect(statuses.get(200) ?? 0).to.be.greaterThan(20);
    expect(statuses.get(400) ?? 0).to.be.greaterThan(20);
    expect(statuses.get(501) ?? 0).to.be.greaterThan(5);
  });

  it('holds in a real modhost serve process: no 500, no error logged', async () => {
    const serve = await ServeProcess.start('test/faults/fixtures/ping.yaml');
    try {
      const seed = 7;
      const rand = prng(seed);
      let reachedHandler = 0;
      for (let i = 0; i < 150; i++) {
        const raw = hostileRequest(rand, '/_synapse/client/ping/touch');
        const socket = await rawSocket(serve.url);
        const reply = readUntilClosed(socket);
        socket.end(raw);
        const text = await reply;
        const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1] ?? 0);
        if (status === 200) reachedHandler++;
        const ok = (status >= 200 && status < 500) || status === 501;
        expect(ok, `request #${i} (seed ${seed}):\n${raw}\ngot:\n${text.slice(0, 300)}`).to.equal(
          true,
        );
      }
      expect(reachedHandler).to.be.greaterThan(10);
      expect(serve.errorLines).to.deep.equal([]);
    } finally {
      serve.kill();
    }
  });

  it('names the problem: bad Host, duplicate Host, credentials in the target, TRACE', async () => {
    const cases: [string, number, RegExp][] = [
      ['GET /r HTTP/1.1\r\nHost: 999.1.1.1', 400, /Malformed Host/],
      ['GET /r HTTP/1.1\r\nHost: a:99999', 400, /Malformed Host/],
      ['GET /r HTTP/1.1\r\nHost: [:::]', 400, /Malformed Host/],
      ['GET /r HTTP/1.1\r\nHost: a\r\nHost: b', 400, /More than one Host/],
      ['GET http://u:p@h/r HTTP/1.1\r\nHost: h', 400, /Malformed request target/],
      ['TRACE /r HTTP/1.1\r\nHost: h', 501, /TRACE is not supported/],
      ['CONNECT h:443 HTTP/1.1\r\nHost: h:443', 501, /CONNECT is not supported/],
    ];
    for (const [head, status, message] of cases) {
      const socket = await rawSocket(h.url);
      const reply = readUntilClosed(socket);
      socket.end(`${head}\r\nConnection: close\r\n\r\n`);
      const text = await reply;
      expect(text, head).to.match(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(text, head).to.match(message);
    }
  });
});

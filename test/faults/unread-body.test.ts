/**
 * #11.3: a request body nobody reads (404, 405, a handler that answers without reading) is never
 * read past `server.max_request_size`: the server answers and closes the connection instead of
 * draining an endless upload until `request_timeout`.
 */
import { expect } from 'chai';
import { A, harness, rawSocket, readUntilClosed, type Harness } from '../web/helpers.js';
import { BOUND, pushUntilClosed } from './upload.js';

describe('faults: unread request bodies are not drained without bound', function () {
  this.timeout(60_000);
  let h: Harness;
  let handlerCalls = 0;

  before(async () => {
    h = harness(
      (r) => {
        r.register(A, '/only-get', () => new Response('ok'), { methods: ['GET'] });
        r.register(A, '/ignores-body', () => {
          handlerCalls++;
          return new Response('answered without reading');
        });
      },
      { max_request_size: 1024, request_timeout: 120_000 },
    );
    await h.listen();
  });
  after(() => h.close());

  for (const [name, head] of [
    ['a 404', 'POST /nothing-here HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['a 405', 'POST /only-get HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'],
    [
      'a handler that does not read',
      'POST /ignores-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
    ],
  ] as const) {
    it(`closes the connection after ${name} to an endless chunked upload`, async () => {
      const { written, reply } = await pushUntilClosed(h.url, head, true);
      expect(written, 'bytes the client could push').to.be.below(BOUND);
      expect(reply).to.match(/^HTTP\/1\.1 (200|404|405) [\s\S]*connection: close/i);
    });
  }

  it('closes the connection after a 404 to an oversized declared body', async () => {
    const head = `PUT /nothing-here HTTP/1.1\r\nHost: x\r\nContent-Length: ${10 * BOUND}\r\n\r\n`;
    const { written, reply } = await pushUntilClosed(h.url, head, false);
    expect(written).to.be.below(BOUND);
    expect(reply).to.match(/^HTTP\/1\.1 404 [\s\S]*connection: close/i);
  });

  it('does not invite the body (100 Continue) of a request nobody will read', async () => {
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write(
      'POST /nothing-here HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n' +
        'Connection: close\r\n\r\n',
    );
    const text = await reply;
    expect(text).to.match(/^HTTP\/1\.1 404 /);
    expect(text).to.not.include('100 Continue');
  });

  it('keeps the connection for requests without a body answered at once', async () => {
    // A synchronous handler runs before Node marks even a bodiless request complete.
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    socket.write('GET /only-get HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.write('DELETE /ignores-body HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.end('GET /only-get HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const answers = (await reply).split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.slice(0, 12))).to.deep.equal(Array(3).fill('HTTP/1.1 200'));
    expect(answers[0]).to.not.match(/connection: close/i);
    expect(answers[1]).to.not.match(/connection: close/i);
  });

  it('keeps the connection for a small unread body within the limit', async () => {
    const socket = await rawSocket(h.url);
    const reply = readUntilClosed(socket);
    const before = handlerCalls;
    socket.write('POST /ignores-body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789');
    socket.end('GET /ignores-body HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const text = await reply;
    expect(text.match(/HTTP\/1\.1 200 /g)).to.have.length(2);
    expect(handlerCalls - before).to.equal(2);
  });
});

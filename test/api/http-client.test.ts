import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, HttpResponseError } from '../../src/api/http-client.js';
import { ModhostError } from '../../src/errors/modhost-error.js';
import { rejectionOf } from '../helpers/rejection.js';

async function failure(p: Promise<unknown>): Promise<ModhostError> {
  const err: unknown = await rejectionOf(p);
  expect(err).to.be.instanceOf(ModhostError);
  return err as ModhostError;
}

describe('module HTTP client (real loopback server)', () => {
  let server: http.Server;
  let base: string;
  const held: http.ServerResponse[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/json') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(
            JSON.stringify({
              method: req.method,
              query: url.searchParams.get('q'),
              body: body || null,
            }),
          );
        });
      } else if (url.pathname === '/denied') {
        res.writeHead(401).end('{"errcode":"M_UNKNOWN_TOKEN"}');
      } else if (url.pathname === '/html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      } else if (url.pathname === '/hang') {
        held.push(res);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    for (const res of held) res.destroy();
    server.close();
  });

  it('gets, posts and puts JSON', async () => {
    const client = new HttpClient();
    expect(await client.getJson(`${base}/json`, { q: 'a b' })).to.deep.equal({
      method: 'GET',
      query: 'a b',
      body: null,
    });
    expect(await client.postJsonGetJson(`${base}/json`, { x: 1 })).to.deep.equal({
      method: 'POST',
      query: null,
      body: '{"x":1}',
    });
    expect(((await client.putJson(`${base}/json`, [1])) as { method: string }).method).to.equal(
      'PUT',
    );
  });

  it('raises non-2xx answers with status and body, and never shows secret query values', async () => {
    const err = await failure(
      new HttpClient().getJson(`${base}/denied`, { access_token: 'SECRET_TOKEN', q: 'shown' }),
    );
    expect(err).to.be.instanceOf(HttpResponseError);
    const e = err as HttpResponseError;
    expect(e.status).to.equal(401);
    expect(e.body).to.equal('{"errcode":"M_UNKNOWN_TOKEN"}');
    expect(e.message)
      .to.contain('answered 401')
      .and.contain('q=shown')
      .and.contain('access_token=<redacted>');
    expect(e.message + e.url).to.not.contain('SECRET_TOKEN');
  });

  it('refuses URLs with credentials without repeating them', async () => {
    const err = await failure(new HttpClient().getJson(`http://user:hunter2@127.0.0.1:1/x`));
    expect(err.message)
      .to.contain('send them in an Authorization header')
      .and.not.contain('hunter2');
  });

  it('says when a body is not JSON', async () => {
    const err = await failure(new HttpClient().getJson(`${base}/html`));
    expect(err.message).to.contain('with a body that is not JSON: <html>');
  });

  it('times out', async () => {
    const err = await failure(new HttpClient(50).getJson(`${base}/hang`));
    expect(err.code).to.equal('MODHOST_HTTP_TIMEOUT');
    expect(err.message).to.contain('timed out after 50 ms');
  });

  it('reports a refused connection', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await failure(new HttpClient().getJson(`http://127.0.0.1:${port}/x`));
    expect(err.code).to.equal('MODHOST_HTTP_REQUEST_FAILED');
    expect(err.message).to.contain(`127.0.0.1:${port}`).and.contain('ECONNREFUSED');
  });
});

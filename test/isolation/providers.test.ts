/**
 * Host providers that are live objects (an API client, the samples' HomeserverApi) in an
 * isolated module: method calls become messages to the object on the host, synchronous methods
 * stay synchronous, and what cannot cross is an error naming the module, the provider, the
 * method and the argument.
 */
import { expect } from 'chai';
import { createTestHost, type TestHost } from 'modhost/testing';
import { HttpError } from '../../src/index.js';
import { builtFixture } from '../helpers/paths.js';

const CALLER = `${builtFixture('isolation/providers.js')}#Caller`;

class Client {
  connected = true;
}

/** The host's object: every call is recorded, so the test sees that it ran here. */
class Directory {
  readonly calls: string[] = [];
  readonly client = new Client();
  private readonly prefix = 'user-';

  get name(): string {
    return 'the directory';
  }
  lookup(id: string): string {
    this.calls.push(`lookup ${id}`);
    return `${this.prefix}${id}`;
  }
  async fetchUser(id: string): Promise<{ id: string; at: Date }> {
    this.calls.push(`fetchUser ${id}`);
    await new Promise((resolve) => setImmediate(resolve));
    return { id, at: new Date(0) };
  }
  fail(): never {
    throw new HttpError(404, 'M_NOT_FOUND', 'no such user');
  }
  async reject(): Promise<never> {
    throw Object.assign(new Error('directory offline'), { code: 'EDIR' });
  }
  async who(request: Request) {
    return { user: request.headers.get('x-user'), url: request.url, method: request.method };
  }
  handle(): object {
    return new Client();
  }
  async later(): Promise<object> {
    return new Client();
  }
}

describe('isolation: host providers as proxies', function () {
  this.timeout(60_000);
  let host: TestHost;
  const directory = new Directory();
  before(async () => {
    host = await createTestHost({
      modules: [{ module: CALLER, isolation: 'worker' }],
      providers: [{ provide: 'directory', useValue: directory }],
    });
  });
  after(() => host?.stop());

  const call = async (p: string, init?: RequestInit): Promise<any> => {
    const res = await host.fetch(new Request(`http://x/_synapse/client/caller${p}`, init));
    expect(res.status).to.equal(200);
    return res.json();
  };

  it('keeps a synchronous method synchronous and copies plain properties (getters read at load)', async () => {
    expect(await call('/sync')).to.deep.equal({
      value: 'user-a',
      isString: true,
      name: 'the directory',
    });
    expect(directory.calls).to.include('lookup a');
  });

  it('gives a promise for a method that returns one, with its value copied', async () => {
    expect(await call('/async')).to.deep.equal({ isPromise: true, id: 'b', isDate: true });
    expect(directory.calls).to.include('fetchUser b');
  });

  it('throws synchronously what the host method throws, and rejects what it rejects', async () => {
    expect(await call('/throw')).to.deep.include({
      name: 'HttpError',
      status: 404,
      errcode: 'M_NOT_FOUND',
      message: 'no such user',
    });
    expect(await call('/reject')).to.deep.equal({ message: 'directory offline', code: 'EDIR' });
  });

  it('passes a Request as its method, URL and headers, leaving the body to the handler', async () => {
    const seen = await call('/request', {
      method: 'POST',
      headers: { 'x-user': '@alice:x' },
      body: 'payload',
    });
    expect(seen).to.deep.equal({
      user: '@alice:x',
      url: 'http://x/_synapse/client/caller/request',
      method: 'POST',
      body: 'payload',
    });
  });

  it('refuses an argument, a result or a property that cannot cross, naming module, provider and method', async () => {
    const arg = await call('/bad-arg');
    expect(arg.code).to.equal('MODHOST_VALUE_CANNOT_CROSS');
    expect(arg.message).to.include('module caller');
    expect(arg.message).to.include('argument 1 of method lookup of host provider directory');
    expect(arg.message).to.include('a function');
    const result = await call('/bad-result');
    expect(result.sync.message).to.include(
      'the result of method handle of host provider directory',
    );
    expect(result.sync.message).to.include('an instance of class Client');
    expect(result.async).to.include('the result of method later of host provider directory');
    const prop = await call('/refused');
    expect(prop.code).to.equal('MODHOST_VALUE_CANNOT_CROSS');
    expect(prop.message).to.include('property client of host provider directory');
    expect(prop.message).to.include('an instance of class Client');
  });
});

/**
 * What a client reads when a callback fails while a web request is served: Synapse answers its
 * ModuleFailedException with a bare 500 "Internal server error", so no callback, category or
 * module name may reach the client (they stay in the host's log); a category policy's own
 * message (Synapse's SynapseError text, e.g. on_create_room's) is meant for clients and is kept.
 */
import { expect } from 'chai';
import { Callback, Inject, Module, WebResource } from '../../decorators/index.js';
import { clientErrorBody, ModuleFailedError } from '../../src/callbacks/http-error.js';
import { defineCategory, firstDecisive, wrapAsModuleFailure } from '../../src/categories/define.js';
import { createTestHost, type TestHost } from '../../src/testing/index.js';
import { errorBody } from '../../samples/demo-host/matrix-error.js';

const vetting = defineCategory({
  name: 'vetting',
  callbacks: {
    may_publish: {
      combine: firstDecisive({ isNeutral: (r) => r !== false, fallback: () => true }),
      onError: wrapAsModuleFailure(),
    },
    may_archive: {
      combine: firstDecisive({ isNeutral: (r) => r !== false, fallback: () => true }),
      onError: wrapAsModuleFailure({
        status: 403,
        errcode: 'M_FORBIDDEN',
        message: 'Archiving forbidden',
      }),
    },
  },
});

@Module({ name: 'secret_vetter' })
class SecretVetter {
  @Callback(vetting.name, 'may_publish')
  mayPublish(): boolean {
    throw new Error('vetting database at 10.0.0.7 unreachable');
  }

  @Callback(vetting.name, 'may_archive')
  mayArchive(): boolean {
    throw new Error('archive rules corrupt');
  }
}

type Run = (name: 'may_publish' | 'may_archive') => Promise<unknown>;
const RUN = Symbol('run vetting');

/** Serves what the vetting callbacks decide: thrown through, or answered with the client body. */
@Module({ name: 'gateway' })
class Gateway {
  constructor(@Inject(RUN) private readonly run: Run) {}

  @WebResource('/_synapse/client/gateway/thrown', { prefix: true })
  async thrown(request: Request): Promise<Response> {
    await this.run(
      new URL(request.url).pathname.endsWith('archive') ? 'may_archive' : 'may_publish',
    );
    return Response.json({ ok: true });
  }

  @WebResource('/_synapse/client/gateway/answered', { prefix: true })
  async answered(request: Request): Promise<Response> {
    const name = new URL(request.url).pathname.endsWith('archive') ? 'may_archive' : 'may_publish';
    try {
      await this.run(name);
      return Response.json({ ok: true });
    } catch (err) {
      if (!(err instanceof ModuleFailedError)) throw err;
      return Response.json(clientErrorBody(err), { status: err.status });
    }
  }
}

const NAMES = ['secret_vetter', 'vetting', 'may_publish', 'may_archive', '10.0.0.7', 'corrupt'];

describe('web: the body a client gets when a callback fails', () => {
  let host: TestHost;
  before(async () => {
    host = await createTestHost({
      categories: [vetting],
      modules: [{ module: SecretVetter }, { module: Gateway }],
      providers: [
        { provide: RUN, useValue: ((name) => host.callbacks.run(vetting.name, name)) as Run },
      ],
      listen: true,
    });
  });
  after(() => host.stop());

  const get = async (p: string) => {
    const res = await fetch(`${host.url}/_synapse/client/gateway${p}`);
    return { status: res.status, text: await res.text() };
  };

  for (const way of ['thrown', 'answered']) {
    it(`${way}: a default module failure is 500 "Internal server error", naming nothing`, async () => {
      const { status, text } = await get(`/${way}/publish`);
      expect(status).to.equal(500);
      expect(JSON.parse(text)).to.deep.equal({
        errcode: 'M_UNKNOWN',
        error: 'Internal server error',
      });
      for (const name of NAMES) expect(text).to.not.contain(name);
    });
  }

  it("answered: a policy's own message and status reach the client, and nothing else", async () => {
    const { status, text } = await get('/answered/archive');
    expect(status).to.equal(403);
    expect(JSON.parse(text)).to.deep.equal({
      errcode: 'M_FORBIDDEN',
      error: 'Archiving forbidden',
    });
  });

  it('the log keeps module, category, callback and the cause', async () => {
    await get('/thrown/publish');
    const failed = host.logs.find(
      (r) => r.module === 'secret_vetter' && r.callback === 'may_publish',
    );
    expect(failed).to.include({ category: 'vetting' });
    expect((failed!.err as Error).message).to.contain('10.0.0.7');
  });

  it("the error itself still names the callback for the host's code; the demo host serves the client body", async () => {
    const err = await host.callbacks.run(vetting.name, 'may_publish').then(
      () => expect.fail('expected a module failure'),
      (e: unknown) => e as ModuleFailedError,
    );
    expect(err.message).to.equal('Failed to run `may_publish` module API callback');
    expect(JSON.stringify(err)).to.equal('{"errcode":"M_UNKNOWN","error":"Internal server error"}');
    expect(errorBody(err)).to.deep.equal({
      status: 500,
      body: { errcode: 'M_UNKNOWN', error: 'Internal server error' },
    });
  });
});

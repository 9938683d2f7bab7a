/**
 * The files `modhost new-module` writes: an ESM package with modhost as a peer dependency, a
 * tsconfig that emits decorator metadata, a module using each decorator, a test on
 * createTestHost and a sample YAML. Kept as code (not copied files) so it ships inside dist/.
 */
export interface StarterNames {
  /** The npm package name as given (`room-guard`, `@acme/room-guard`). */
  packageName: string;
  /** The module's name in config and logs (the package name without its scope). */
  moduleName: string;
  /** The module class (`RoomGuard`). */
  className: string;
  /** The modhost version the package targets (its peer dependency range). */
  modhostVersion: string;
}

/** The versions modhost itself is built and tested with. */
const DEV = {
  typescript: '~5.9',
  mocha: '^12.0.3',
  chai: '^6.3.0',
  '@types/chai': '^5.2.3',
  '@types/mocha': '^10.0.10',
  '@types/node': '^20.19.43',
  'class-validator': '^0.15.1',
  'reflect-metadata': '^0.2.2',
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function starterFiles(n: StarterNames): Record<string, string> {
  const peer = `^${n.modhostVersion}`;
  const path = `/_synapse/client/${n.moduleName}/status`;
  return {
    'package.json': json({
      name: n.packageName,
      version: '0.1.0',
      description: `A modhost module: ${n.moduleName}`,
      type: 'module',
      exports: { '.': { types: './dist/src/index.d.ts', default: './dist/src/index.js' } },
      files: ['dist/src'],
      engines: { node: '>=20.19' },
      scripts: {
        build: 'tsc -p tsconfig.json',
        test: "tsc -p tsconfig.json && mocha 'dist/test/**/*.test.js'",
        check: 'tsc -p tsconfig.json && modhost check -c modhost.yaml',
      },
      // modhost is the host's: one copy per process, so its tokens and registries are shared.
      peerDependencies: { modhost: peer, 'class-validator': DEV['class-validator'] },
      devDependencies: { modhost: peer, ...DEV },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'DOM'],
        rootDir: '.',
        outDir: 'dist',
        strict: true,
        // modhost reads constructor parameter types from this metadata: tsc emits it, tsx and
        // esbuild do not.
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        useDefineForClassFields: false,
        declaration: true,
        sourceMap: true,
        skipLibCheck: true,
        types: ['node', 'mocha'],
      },
      include: ['src', 'test'],
    }),
    '.mocharc.json': json({ require: ['reflect-metadata'], timeout: 10000 }),
    '.gitignore': 'node_modules/\ndist/\n',
    'src/index.ts': `export { ${n.className}, ${n.className}Config } from './module.js';\n`,
    'src/module.ts': `import { IsArray, IsString } from 'class-validator';
import { Codes, ModuleApi, NOT_SPAM, type SynapseEvent } from 'modhost';
import { Cached, Callback, Module, WebResource } from 'modhost/decorators';
import { IsDuration } from 'modhost/validators';

/** The module's \`config:\` mapping, validated at load (errors name the YAML line). */
export class ${n.className}Config {
  @IsArray() @IsString({ each: true }) blocked_words: string[] = [];
  @IsDuration() report_every: number | string = '10m';
}

@Module({ name: '${n.moduleName}', config: ${n.className}Config })
export class ${n.className} {
  constructor(
    private readonly api: ModuleApi,
    private readonly config: ${n.className}Config,
  ) {}

  /** Rejects messages containing a blocked word (Synapse's spam checker). */
  @Callback('spam_checker', 'check_event_for_spam')
  async checkEvent(event: SynapseEvent) {
    const body = String(event.content.body ?? '');
    return (await this.blockedWordsIn(body)) > 0 ? Codes.FORBIDDEN : NOT_SPAM;
  }

  /** GET ${path}: what the module is configured with. */
  @WebResource('${path}', { methods: ['GET'] })
  status(): Response {
    return Response.json({ module: this.api.moduleName, blocked_words: this.config.blocked_words.length });
  }

  /** Cached per text: a remote lookup would go here (see api.http). */
  @Cached({ maxEntries: 1000 })
  async blockedWordsIn(text: string): Promise<number> {
    const lower = text.toLowerCase();
    return this.config.blocked_words.filter((w) => lower.includes(w.toLowerCase())).length;
  }
}
`,
    'test/module.test.ts': `import { expect } from 'chai';
import { asCached, Codes, NOT_SPAM } from 'modhost';
import { createTestHost } from 'modhost/testing';
import { ${n.className} } from '../src/index.js';

describe('${n.moduleName}', () => {
  const modules = [{ module: ${n.className}, config: { blocked_words: ['spam'] } }];

  // The spam checker's combined result is NOT_SPAM, or [code, extra fields] as Synapse returns it.
  it('rejects a message with a blocked word, lets others through', async () => {
    const host = await createTestHost({ modules });
    const event = (body: string) => ({ type: 'm.room.message', sender: '@a:example.com', room_id: '!r:example.com', content: { body } });
    expect(await host.callbacks.run('spam_checker', 'check_event_for_spam', event('buy SPAM now'))).to.deep.equal([Codes.FORBIDDEN, {}]);
    expect(await host.callbacks.run('spam_checker', 'check_event_for_spam', event('hello'))).to.equal(NOT_SPAM);
    await host.stop();
  });

  it('serves its status resource', async () => {
    const host = await createTestHost({ modules });
    const res = await host.fetch(new Request('http://test${path}'));
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ module: '${n.moduleName}', blocked_words: 1 });
    await host.stop();
  });

  it('caches lookups', async () => {
    const host = await createTestHost({ modules });
    const mod = host.module(${n.className});
    await mod.blockedWordsIn('spam');
    await mod.blockedWordsIn('spam');
    expect(asCached(mod.blockedWordsIn).stats.hits).to.equal(1);
    await host.stop();
  });

  it('rejects a bad config at load, naming the path', async () => {
    const err = await createTestHost({ modules: [{ module: ${n.className}, config: { report_every: 'soon' } }] }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.include('modules[0].config.report_every');
  });
});
`,
    'modhost.yaml': `# Try it: npm run build && npx modhost serve -c modhost.yaml
# or fire its callback by hand:
#   npx modhost call -c modhost.yaml spam_checker check_event_for_spam \\
#     --args '[{"type":"m.room.message","sender":"@a:example.com","room_id":"!r:example.com","content":{"body":"spam"}}]'
server:
  bind: 127.0.0.1
  port: 8008
  public_baseurl: http://localhost:8008/
modules:
  - module: ./dist/src/module.js#${n.className}
    config:
      blocked_words: [spam, scam]
      report_every: 10m
`,
    'README.md': `# ${n.packageName}

A [modhost](https://www.npmjs.com/package/modhost) module.

\`\`\`sh
npm install
npm test                                   # builds with tsc, runs the tests on createTestHost
npx modhost serve -c modhost.yaml          # after npm run build
\`\`\`

In a host's YAML: \`module: ${n.packageName}#${n.className}\`.
`,
  };
}

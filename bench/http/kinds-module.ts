/**
 * The module the HTTP bench loads, both embedded (module-server.ts) and under `modhost serve`
 * (kinds-serve.yaml): one web resource per bench kind. It answers the bench's CPU queries over
 * IPC from whichever process it runs in.
 */
import 'reflect-metadata';
import { Module } from '../../decorators/index.js';
import { ModuleApi } from '../../src/api/module-api.js';
import { answerCpuQueries } from './cpu-report.js';
import { KINDS } from './kinds.js';

@Module({ name: 'bench_kinds' })
export class BenchKinds {
  constructor(api: ModuleApi) {
    for (const kind of KINDS)
      api.registerWebResource(kind.path, (request: Request) => kind.modhost(request), {
        methods: [kind.method],
      });
    if (process.send !== undefined) answerCpuQueries();
  }
}

/**
 * Writes a generated host of N modules into a temp directory, as tsc would have compiled them
 * (decorators applied through `__decorate`, constructor types through `design:paramtypes`), so
 * the bench measures exactly what a host of N compiled modules costs. Every module has its own
 * config class (validated with class-validator), a callback and a web resource.
 */
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const PRELUDE = `var __decorate = function (decorators, target, key, desc) {
  var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
  for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
  return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = function (k, v) { return Reflect.metadata(k, v); };`;

const CONFIG_CLASS = (
  i: number,
) => `import { IsOptional, IsString, IsInt, Min } from 'class-validator';
export class Config${i} {
  constructor() { this.greeting = 'hello'; this.limit = 10; }
}
__decorate([IsOptional(), IsString(), __metadata('design:type', String)], Config${i}.prototype, 'greeting', void 0);
__decorate([IsOptional(), IsInt(), Min(0), __metadata('design:type', Number)], Config${i}.prototype, 'limit', void 0);`;

function moduleSource(i: number, configClass: boolean): string {
  return `import 'reflect-metadata';
import { Module, Callback, WebResource } from 'modhost/decorators';
import { ModuleApi } from 'modhost';
${PRELUDE}
${configClass ? CONFIG_CLASS(i) : ''}
let Generated${i} = class Generated${i} {
  ${configClass ? 'constructor(api, config) { this.api = api; this.config = config; }' : "constructor(api) { this.api = api; this.config = { greeting: 'hello' }; }"}
  async check(event) { return event.content.body === 'bad${i}' ? 'M_FORBIDDEN' : 'NOT_SPAM'; }
  status() { return Response.json({ module: ${i}, greeting: this.config.greeting }); }
};
__decorate([Callback('spam_checker', 'check_event_for_spam'), __metadata('design:type', Function), __metadata('design:paramtypes', [Object]), __metadata('design:returntype', Promise)], Generated${i}.prototype, 'check', null);
__decorate([WebResource('/_synapse/client/generated${i}/status', { methods: ['GET'] }), __metadata('design:type', Function), __metadata('design:paramtypes', []), __metadata('design:returntype', Response)], Generated${i}.prototype, 'status', null);
Generated${i} = __decorate([Module({ name: 'generated${i}'${configClass ? `, config: Config${i}` : ''} }), __metadata('design:paramtypes', [ModuleApi${configClass ? `, Config${i}` : ''}])], Generated${i});
export { Generated${i} };
`;
}

export interface GeneratedHost {
  dir: string;
  config: string;
  files: string[];
}

/** A directory holding `count` module files and a `modhost.yaml` listing them all. */
export function generateHost(count: number, { configClass = true } = {}): GeneratedHost {
  const dir = mkdtempSync(path.join(os.tmpdir(), `modhost-scale-${count}-`));
  // Bare imports resolve as in a user's project: \`modhost\` to this package (its exports, so the
  // shipped bundle), the rest (class-validator, reflect-metadata) to the repo's node_modules.
  const modules = path.join(dir, 'node_modules');
  mkdirSync(modules);
  symlinkSync(repo, path.join(modules, 'modhost'), 'dir');
  for (const name of readdirSync(path.join(repo, 'node_modules')))
    if (!name.startsWith('.'))
      symlinkSync(path.join(repo, 'node_modules', name), path.join(modules, name), 'dir');
  mkdirSync(path.join(dir, 'modules'));
  const files: string[] = [];
  const entries: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, 'modules', `generated${i}.js`);
    writeFileSync(file, moduleSource(i, configClass));
    files.push(file);
    entries.push(
      `  - module: ./modules/generated${i}.js#Generated${i}\n    config: { greeting: hi, limit: ${i} }`,
    );
  }
  const config = path.join(dir, 'modhost.yaml');
  writeFileSync(
    config,
    `server: { bind: 127.0.0.1, port: 0 }\ninstance: { name: scale }\nmodules:\n${entries.join('\n')}\n`,
  );
  return { dir, config, files };
}

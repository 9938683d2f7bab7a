/**
 * `modhost new-module <name> [--dir <path>]`: writes a ready module package (see
 * starter/files.ts). Refuses a name npm would refuse and a directory that is not empty, so
 * nothing of the user's is overwritten.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type CliArgs, UsageError } from './args.js';
import { starterFiles, type StarterNames } from './starter/files.js';

const PACKAGE_NAME = /^(?:@([a-z0-9][a-z0-9._~-]*)\/)?([a-z0-9][a-z0-9._~-]*)$/;

/** The names a package called `packageName` gets, or a UsageError saying why it cannot be. */
export function starterNames(packageName: string, modhostVersion: string): StarterNames {
  const m = PACKAGE_NAME.exec(packageName);
  if (!m || packageName.length > 214)
    throw new UsageError(
      `"${packageName}" is not a valid npm package name: lower case letters, digits, "-", "." and "_", optionally @scope/name`,
    );
  const moduleName = m[2]!;
  const words = moduleName.split(/[^a-z0-9]+/).filter(Boolean);
  let className = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!/^[A-Za-z]/.test(className)) className = `Module${className}`;
  return { packageName, moduleName, className, modhostVersion };
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

async function modhostVersion(): Promise<string> {
  const pkg = JSON.parse(
    await readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return pkg.version;
}

export async function newModule(args: CliArgs, out: NodeJS.WritableStream): Promise<number> {
  const [name, ...extra] = args.positionals;
  if (!name || extra.length > 0)
    throw new UsageError('new-module needs one package name: modhost new-module <name>');
  const names = starterNames(name, await modhostVersion());
  const dir = path.resolve(args.dir ?? names.moduleName);
  if (!(await isEmptyOrMissing(dir)))
    throw new UsageError(`${dir} exists and is not empty; choose another --dir`);
  const files = starterFiles(names);
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text, { flag: 'wx' });
  }
  out.write(
    `wrote ${Object.keys(files).length} files to ${dir}: module ${names.className} ("${names.moduleName}")\n` +
      `next: cd ${path.relative(process.cwd(), dir) || '.'} && npm install && npm test\n`,
  );
  return 0;
}

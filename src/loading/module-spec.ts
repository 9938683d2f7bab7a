/**
 * Module specs as written in YAML: `./file.js#Class` or `/abs/file.js#Class` (files),
 * `package#Class` or `package` (packages). Parsing only; resolution is the loader's.
 */
export type ModuleSpec =
  | { kind: 'file'; path: string; exportName?: string }
  | { kind: 'package'; name: string; exportName?: string };

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w.-]+)*$/i;

export function parseModuleSpec(spec: string): ModuleSpec | undefined {
  const hash = spec.lastIndexOf('#');
  const target = hash === -1 ? spec : spec.slice(0, hash);
  const exportName = hash === -1 ? undefined : spec.slice(hash + 1);
  if (target === '' || exportName === '') return undefined;
  if (exportName !== undefined && !/^[A-Za-z_$][\w$]*$/.test(exportName)) return undefined;
  if (target.startsWith('./') || target.startsWith('../') || target.startsWith('/')) {
    return { kind: 'file', path: target, exportName };
  }
  return PACKAGE_NAME.test(target) ? { kind: 'package', name: target, exportName } : undefined;
}

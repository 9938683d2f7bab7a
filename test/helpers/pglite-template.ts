/**
 * Fresh embedded (PGlite) data directories for tests, without initdb each time. PGlite's first
 * start in an empty directory runs initdb, 2–25 s on a loaded machine; a copy of a cluster that
 * was shut down cleanly starts in well under a second. So one template is made per test run (the
 * first time a test asks, by the engine modhost itself uses) and every test gets a copy of its
 * own: tests stay independent, since nothing is shared once copied. The template is removed when
 * the test process exits.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedEngine } from '../../src/database/embedded-engine.js';

let template: Promise<string> | undefined;

/** The template's directory: an initialised, closed PGlite cluster with nothing in it. */
export function pgliteTemplate(): Promise<string> {
  template ??= makeTemplate();
  return template;
}

async function makeTemplate(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'modhost-pglite-template-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // Opened and closed as modhost does, so the copy is what a first start would leave (the
  // engine's lock file is removed at close).
  const engine = await EmbeddedEngine.open({ dir, lockTimeoutMs: 60_000 });
  await engine.close();
  return dir;
}

/**
 * Fills `dir` (created if missing, expected empty) with a copy of the template, so an embedded
 * engine opened there starts at once with an empty database. Returns `dir`.
 */
export async function copyPgliteTemplate(dir: string): Promise<string> {
  await cp(await pgliteTemplate(), dir, { recursive: true });
  return dir;
}

/** A new temp directory (named with `prefix`) holding a fresh copy of the template. */
export async function freshDataDir(prefix: string): Promise<string> {
  return copyPgliteTemplate(await mkdtemp(path.join(tmpdir(), prefix)));
}

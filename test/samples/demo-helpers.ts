/** A test host whose modules get the demo homeserver's real `HomeserverApi`. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestHost, type TestHost, type TestHostOptions } from 'modhost/testing';
import { Demo } from '../../samples/demo-host/demo.js';
import type { Homeserver } from '../../samples/demo-host/homeserver.js';
import type { IsolationMode } from '../helpers/isolation.js';

export interface DemoTestHost {
  demo: Demo;
  host: TestHost;
  hs: Homeserver;
}

export async function demoTestHost(options: TestHostOptions): Promise<DemoTestHost> {
  const demo = new Demo({ serverName: 'test' });
  const host = await createTestHost({ ...options, providers: demo.providers, start: false });
  await demo.attach(host);
  return { demo, host, hs: demo.homeserver };
}

export const info: [string, string][] = [['mocha', '127.0.0.1']];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * demo.yaml as written, copied into `dir` (so its `database.path: ./data` lands there), with its
 * port moved to `port` and its module specs made absolute; with `worker`, every module entry
 * gets `isolation: worker`.
 */
export async function demoConfigFor(
  port: number,
  dir: string,
  mode: IsolationMode = 'in-process',
): Promise<string> {
  const original = await readFile(path.join(repoRoot, 'samples/demo-host/demo.yaml'), 'utf8');
  let text = original
    .replaceAll('127.0.0.1:8008', `127.0.0.1:${port}`)
    .replaceAll('../../dist/', `${path.join(repoRoot, 'dist')}/`);
  if (mode === 'worker') text = text.replace(/^( {2}- module: .*)$/gm, '$1\n    isolation: worker');
  const file = path.join(dir, 'demo.yaml');
  await writeFile(file, text);
  return file;
}

/** One request to the demo over HTTP: status, and the body as JSON (or text when it is not). */
export async function callDemo(
  base: string,
  method: string,
  p: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

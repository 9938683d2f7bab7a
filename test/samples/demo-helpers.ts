/** A test host whose modules get the demo homeserver's real `HomeserverApi`. */
import { createTestHost, type TestHost, type TestHostOptions } from 'modhost/testing';
import { Demo } from '../../samples/demo-host/demo.js';
import type { Homeserver } from '../../samples/demo-host/homeserver.js';

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

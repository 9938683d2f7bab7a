/** modhost/testing: test modules without sockets, with a fake clock and captured logs. */
import '../deps/reflect-metadata.js';

export { createTestHost, type TestHost, type TestHostOptions } from './test-host.js';
export { FakeClock } from '../clock/fake-clock.js';
export { createCapturingLogger, type LogRecord } from '../logging/logger.js';
export type { ModuleOverride } from '../injection/overrides.js';

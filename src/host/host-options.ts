/** What `ModuleHost.create` accepts: the YAML file's shape as objects, plus code-only extras. */
import type { Class } from '../../decorators/metadata.js';
import type { CategoryDefinition } from '../categories/define.js';
import type { Clock } from '../clock/clock.js';
import type { OnError } from '../config/types.js';
import type { ModuleOverride } from '../injection/overrides.js';
import type { Provider } from '../injection/providers.js';
import type { Logger } from '../logging/logger.js';

export interface ModuleEntryOptions {
  /** A `@Module` class, or a spec (`./file.js#Class`, `package#Class`, `package`). */
  module: Class | string;
  config?: unknown;
  on_error?: OnError;
  callback_timeout?: number | string;
  /** `worker` runs the module in its own worker thread (needs a spec string, not a class). */
  isolation?: 'worker' | 'in-process';
  /** Isolated modules only: `{ max_heap: '256M' }`. */
  resource_limits?: { max_heap?: number | string };
  /** Isolated modules only: how long a request may take before it gets 503. */
  handler_timeout?: number | string;
  /** Isolated modules only: restart limits and the liveness deadline. */
  supervision?: {
    max_restarts?: number;
    restart_window?: number | string;
    restart_backoff?: number | string;
    blocked_timeout?: number | string;
  };
  /** Isolated modules only: µs a sequential call may poll for the other side (0 off; default 100). */
  call_polling?: number;
}

export interface HostOptions {
  modules: ModuleEntryOptions[];
  /** Host-defined categories, added to the built-in Synapse pack. */
  categories?: readonly CategoryDefinition[];
  /** Values modules can have injected, registered in every module's container. */
  providers?: readonly Provider[];
  /** Replace one module's provider, HTTP client (`HttpClient`) or clock (`CLOCK`); for tests. */
  overrides?: readonly ModuleOverride[];
  server?: Record<string, unknown>;
  instance?: Record<string, unknown>;
  cluster?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  caches?: Record<string, unknown>;
  /** `{ path }` (embedded engine) or `{ url: 'postgres://...' }`; see docs/database.md. */
  database?: Record<string, unknown>;
  callback_timeout?: number | string;
  log_level?: string;
  /** Use this logger instead of creating one. */
  logger?: Logger;
  /** Use this clock (tests pass a FakeClock). */
  clock?: Clock;
  /** Where relative module specs resolve from; defaults to the working directory. */
  baseDir?: string;
}

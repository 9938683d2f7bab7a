#!/usr/bin/env node
/**
 * The `modhost` executable. Before anything else is imported it turns on Node's on-disk compile
 * cache where Node has one (22.1+): a CLI start then reuses the compiled code of modhost and its
 * dependencies instead of compiling them again on every run (start-up is mostly compilation).
 * On older Node the call does not exist and nothing changes. NODE_DISABLE_COMPILE_CACHE=1 turns
 * it off, as for any Node program.
 */
import nodeModule from 'node:module';

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./main.js');

/**
 * The suite tests tsc's output (dist/src), and imports its deep files as well as `modhost`: both
 * must be one copy. package.json's `modhost-source` export condition points `modhost` there
 * instead of at the shipped bundle, .mocharc sets it for this process, and this file (required
 * by .mocharc) passes it to every process the tests start, through NODE_OPTIONS. Threads inherit
 * it from this process. test/packaging runs the bundle without it, as users do.
 */
export const SOURCE_CONDITION = '--conditions=modhost-source';

const options = process.env.NODE_OPTIONS ?? '';
if (!options.split(/\s+/).includes(SOURCE_CONDITION))
  process.env.NODE_OPTIONS = `${options} ${SOURCE_CONDITION}`.trim();

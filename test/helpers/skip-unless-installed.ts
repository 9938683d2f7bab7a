/**
 * For suites that need a server the tests start themselves (redis-server, postgres): skipped,
 * saying why, when it is not installed; under `CI=true` that is a failure instead.
 */
export function skipUnlessInstalled(
  context: Mocha.Context,
  installed: boolean,
  what: string,
  reason: string,
): void {
  if (installed) return;
  if (process.env.CI === 'true')
    throw new Error(`${reason}. CI=true requires the ${what} tests to run.`);
  const suite = context.test?.parent;
  if (suite) suite.title += ` (SKIPPED: ${reason})`;
  console.warn(`  skipping ${what} tests: ${reason}`);
  context.skip();
}

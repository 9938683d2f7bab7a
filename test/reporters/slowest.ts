/**
 * A mocha reporter for finding where the suite's time goes: the usual dots while it runs, then
 * the slowest tests *and hooks* (mocha's JSON reporter leaves hooks out, and `before` hooks that
 * start servers or make the PGlite template are often the largest part) and the time per file.
 *   npx mocha 'dist/test/**\/*.test.js' --reporter dist/test/reporters/slowest.js
 * SLOWEST_COUNT (default 30) sets how many rows.
 */
import Mocha from 'mocha';

const { EVENT_HOOK_BEGIN, EVENT_HOOK_END, EVENT_TEST_END, EVENT_RUN_END } = Mocha.Runner.constants;

interface Row {
  ms: number;
  what: string;
  file: string;
}

const short = (file: string | undefined) => (file ?? '(no file)').replace(/.*\/dist\//, '');

export default class Slowest extends Mocha.reporters.Dot {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const rows: Row[] = [];
    const started = new Map<Mocha.Hook, number>();
    runner.on(EVENT_HOOK_BEGIN, (hook: Mocha.Hook) => started.set(hook, performance.now()));
    runner.on(EVENT_HOOK_END, (hook: Mocha.Hook) => {
      const ms = performance.now() - (started.get(hook) ?? performance.now());
      rows.push({ ms, what: `hook ${hook.fullTitle()}`, file: short(hook.file) });
    });
    runner.on(EVENT_TEST_END, (test: Mocha.Test) =>
      rows.push({
        ms: test.duration ?? 0,
        what: `test ${test.fullTitle()}`,
        file: short(test.file),
      }),
    );
    runner.once(EVENT_RUN_END, () => {
      const count = Number(process.env.SLOWEST_COUNT ?? 30);
      const ms = (n: number) => `${Math.round(n)} ms`.padStart(9);
      const lines = ['', `slowest ${count} tests and hooks:`];
      for (const r of [...rows].sort((a, b) => b.ms - a.ms).slice(0, count))
        lines.push(`${ms(r.ms)}  ${r.what.slice(0, 120)}  (${r.file})`);
      const perFile = new Map<string, number>();
      for (const r of rows) perFile.set(r.file, (perFile.get(r.file) ?? 0) + r.ms);
      lines.push('', `slowest ${count} files (tests and hooks):`);
      for (const [file, total] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, count))
        lines.push(`${ms(total)}  ${file}`);
      const sum = rows.reduce((acc, r) => acc + r.ms, 0);
      lines.push('', `${ms(sum)}  in all tests and hooks`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  }
}

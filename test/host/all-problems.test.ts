/**
 * Every problem of a config file in one run, each at its module's entry: problems found while
 * building modules (unknown callbacks and categories, reserved paths, impossible cache options,
 * throwing constructors, injection failures, half a paired group), and module problems next to
 * a host-level one.
 */
import { expect } from 'chai';
import { ConfigValidationError, formatProblem } from '../../src/errors/modhost-error.js';
import { ModuleHost } from '../../src/host/module-host.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { journal } from '../fixtures/modules/basic.js';
import { sourceFixture } from '../helpers/paths.js';
import { rejectionOf } from '../helpers/rejection.js';

async function problemsOf(file: string): Promise<ConfigValidationError> {
  const logger = createCapturingLogger().logger;
  const error = await rejectionOf(
    (async () => {
      const host = await ModuleHost.fromConfigFile(file, { logger });
      await host.wire();
    })(),
  );
  expect(error).to.be.instanceOf(ConfigValidationError);
  return error as ConfigValidationError;
}

describe('every problem located and reported at once', () => {
  it('problems found while building modules point at each module entry', async () => {
    journal.splice(0);
    const file = sourceFixture('host/wiring-errors.yaml');
    const error = await problemsOf(file);
    const lines = error.problems.map(formatProblem);
    const at = (line: number, index: number) =>
      new RegExp(`^${file.replace(/[.]/g, '\\.')}:${line}:13: modules\\[${index}\\]\\.module: `);
    expect(lines).to.have.length(7);
    expect(lines[0]).to.match(at(5, 0)).and.contain('check_event_for_spamm');
    expect(lines[1]).to.match(at(5, 0)).and.contain('no_such_category');
    expect(lines[2]).to.match(at(6, 1)).and.contain('/_matrix/client');
    expect(lines[3]).to.match(at(10, 3)).and.contain('numArgs').and.contain('declares 2');
    expect(lines[4]).to.match(at(11, 4)).and.contain('no database configured');
    expect(lines[5]).to.match(at(12, 5)).and.contain('@Inject(TOKEN)');
    expect(lines[6]).to.match(at(13, 6)).and.contain('get_users_for_states');
    // The valid module between them was built (and then disposed with the rest).
    expect(journal).to.include('construct greeter');
  });

  it('a host-level problem does not hide the modules’ own problems', async () => {
    const file = sourceFixture('host/host-and-module-errors.yaml');
    const error = await problemsOf(file);
    expect(error.problems.map((p) => [p.line, p.path])).to.deep.equal([
      [3, 'server.port'],
      [7, 'modules[0].config.greeting'],
      [8, 'modules[1].module'],
      [10, 'modules[2].on_error'],
    ]);
  });

  it('ModuleHost.create reports module problems next to host-level ones', async () => {
    const { Greeter } = await import('../fixtures/modules/basic.js');
    const error = await rejectionOf(
      ModuleHost.create({
        server: { port: 'eighty' as never },
        modules: [{ module: Greeter, config: { greeting: 12 } }],
        logger: createCapturingLogger().logger,
      }),
    );
    expect((error as ConfigValidationError).problems.map((p) => p.path)).to.deep.equal([
      'server.port',
      'modules[0].config.greeting',
    ]);
  });

  it('one kind of failure keeps its error code and its cause', async () => {
    const { FailingConstructor } = await import('../fixtures/modules/basic.js');
    const host = await ModuleHost.create({
      modules: [{ module: FailingConstructor }],
      logger: createCapturingLogger().logger,
    });
    const error = (await rejectionOf(host.wire())) as ConfigValidationError;
    expect(error.code).to.equal('MODHOST_MODULE_CONSTRUCTOR_FAILED');
    expect(error.problems[0]!.path).to.equal('modules[0].module');
    expect(error.cause).to.have.property('code', 'MODHOST_MODULE_CONSTRUCTOR_FAILED');
  });
});

import { expect } from 'chai';
import { ModuleHost } from '../../src/host/module-host.js';
import { ConfigValidationError, formatProblem } from '../../src/errors/modhost-error.js';
import { createCapturingLogger } from '../../src/logging/logger.js';
import { sourceFixture } from '../helpers/paths.js';
import { journal } from '../fixtures/modules/basic.js';

describe('host from a config file', () => {
  it('resolves module specs relative to the file', async () => {
    journal.splice(0);
    const host = await ModuleHost.fromConfigFile(sourceFixture('host/good.yaml'), {
      logger: createCapturingLogger().logger,
      instanceName: 'override',
    });
    await host.start();
    expect(host.inspect().instance.name).to.equal('override');
    expect(host.inspect().modules.map((m) => m.name)).to.deep.equal(['greeter', 'raw']);
    const res = await host.fetch(new Request('http://x/_synapse/client/greeter/hello'));
    expect(await res.json()).to.deep.equal({ text: 'Hi' });
    await host.stop();
  });

  it('reports every loading problem at once, each at its entry', async () => {
    const file = sourceFixture('host/loading-errors.yaml');
    let error: ConfigValidationError | undefined;
    try {
      await ModuleHost.fromConfigFile(file, { logger: createCapturingLogger().logger });
    } catch (err) {
      error = err as ConfigValidationError;
    }
    expect(error).to.be.instanceOf(ConfigValidationError);
    const found = error!.problems.map((p) => [p.line, p.column, p.path]);
    expect(found).to.deep.equal([
      [3, 13, 'modules[0].module'],
      [4, 13, 'modules[1].module'],
      [5, 13, 'modules[2].module'],
      [6, 13, 'modules[3].module'],
      [7, 13, 'modules[4].module'],
      [10, 17, 'modules[5].config.greeting'],
    ]);
    const lines = error!.problems.map(formatProblem);
    expect(lines[0]).to.match(
      /^.*loading-errors\.yaml:3:13: modules\[0\]\.module: module file not found: /,
    );
    expect(lines[1]).to.contain('did you mean "First"');
    expect(lines[2]).to.contain('is not a @Module class');
    expect(lines[3]).to.contain('@Callback on Misuse.notAMethod');
    expect(lines[4]).to.contain('emitDecoratorMetadata');
    expect(lines[5]).to.contain('modules[5].config.greeting');
  });
});

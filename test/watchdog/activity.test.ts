/** Dispatch marks the module code it runs, where the watchdog thread can read it. */
import { expect } from 'chai';
import { Callback, Module, WebResource } from '../../decorators/index.js';
import { NOT_SPAM } from '../../src/index.js';
import { createTestHost } from '../../src/testing/index.js';
import {
  type ActivityLabel,
  ACTIVITY_SLOTS,
  activityState,
  watchLabels,
} from '../../src/watchdog/activity.js';

function runningNow(): ActivityLabel | undefined {
  const id = activityState[ACTIVITY_SLOTS.CURRENT]!;
  let found: ActivityLabel | undefined;
  watchLabels((labelId, label) => {
    if (labelId === id) found = label;
  })();
  return found;
}

@Module({ name: 'marked' })
class Marked {
  seen: (ActivityLabel | undefined)[] = [];
  onStart(): void {
    this.seen.push(runningNow());
  }
  @Callback('spam_checker', 'check_event_for_spam')
  check(): typeof NOT_SPAM {
    this.seen.push(runningNow());
    return NOT_SPAM;
  }
  @WebResource('/_synapse/client/marked')
  resource(): Response {
    this.seen.push(runningNow());
    return new Response('ok');
  }
}

describe('activity marks', () => {
  it('name the module, the kind and the name of the code running, and clear after', async () => {
    const host = await createTestHost({ modules: [{ module: Marked }] });
    try {
      await host.callbacks.run('spam_checker', 'check_event_for_spam', { content: {} } as never);
      await host.fetch(new Request('http://x/_synapse/client/marked'));
      const seen = host.module(Marked).seen;
      expect(seen).to.deep.equal([
        { module: 'marked', kind: 'hook', name: 'onStart' },
        { module: 'marked', kind: 'callback', name: 'spam_checker.check_event_for_spam' },
        { module: 'marked', kind: 'resource', name: '/_synapse/client/marked' },
      ]);
      expect(activityState[ACTIVITY_SLOTS.CURRENT]).to.equal(0);
    } finally {
      await host.stop();
    }
  });
});

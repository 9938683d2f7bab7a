/** The worker's per-request abort: no AbortController until the signal is read, same outcome. */
import { expect } from 'chai';
import { LazyAbort } from '../../src/isolation/lazy-abort.js';

describe('isolation: a request abort made lazily', () => {
  it('a signal read before the abort aborts with it, listeners run once', () => {
    const abort = new LazyAbort();
    const signal = abort.signal;
    const seen: string[] = [];
    signal.addEventListener('abort', () => seen.push('signal'));
    abort.onAbort(() => seen.push('modhost'));
    expect(signal.aborted).to.equal(false);
    abort.abort();
    abort.abort();
    expect(seen).to.deep.equal(['signal', 'modhost']);
    expect(signal.aborted).to.equal(true);
    expect((signal.reason as DOMException).name).to.equal('AbortError');
    expect(abort.signal).to.equal(signal);
  });

  it('a signal first read after the abort is born aborted, with the same reason', () => {
    const abort = new LazyAbort();
    const reason = new Error('gone');
    abort.abort(reason);
    expect(abort.aborted).to.equal(true);
    expect(abort.signal.aborted).to.equal(true);
    expect(abort.signal.reason).to.equal(reason);
    let late = 0;
    abort.onAbort(() => late++);
    expect(late).to.equal(1);
  });

  it('nothing is made for a request whose signal nobody reads', () => {
    const abort = new LazyAbort();
    abort.onAbort(() => undefined);
    abort.abort();
    expect((abort as unknown as { controller: unknown }).controller).to.equal(undefined);
  });
});

/**
 * The abort of one request served in a worker, without an AbortController until someone asks for
 * the signal. Most handlers never read `request.signal`, and an AbortController (an EventTarget
 * with its listener map) was the largest single cost of a request on the worker's side, in time
 * and in garbage. The host's `cancel` (its deadline, or the client gone) aborts it either way: a
 * signal asked for later is born aborted with the same reason.
 */
export class LazyAbort {
  private controller: AbortController | undefined;
  private reason: unknown;
  private done = false;
  private readonly listeners: Array<() => void> = [];

  /** The request's signal, made on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.done;
  }

  /** modhost's own reaction to the abort (the body stream's discard), with no signal made. */
  onAbort(listener: () => void): void {
    if (this.done) listener();
    else this.listeners.push(listener);
  }

  abort(reason?: unknown): void {
    if (this.done) return;
    this.done = true;
    // As AbortController.abort() with no reason: an AbortError DOMException.
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    this.controller?.abort(this.reason);
    for (const listener of this.listeners.splice(0)) listener();
  }
}

/**
 * The demo's link to its module host: the callbacks it runs and the clock it reads. Created
 * before the host exists (the host needs the demo's providers first), attached once it does.
 */
import type { ModuleHost } from 'modhost';

export type Callbacks = ModuleHost['callbacks'];

export class HostLink {
  private callbacksRef?: Callbacks;
  private clock: () => number = () => Date.now();

  attach(host: ModuleHost): void {
    this.callbacksRef = host.callbacks;
    this.clock = () => host.clock.now();
  }

  get callbacks(): Callbacks {
    if (!this.callbacksRef) throw new Error('the module host is not attached yet');
    return this.callbacksRef;
  }

  /** ms since the epoch, on the host's clock once attached (fake in tests). */
  now(): number {
    return this.clock();
  }
}

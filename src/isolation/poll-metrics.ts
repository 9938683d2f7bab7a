/**
 * Call polling of isolated modules as a Prometheus counter, per module, side (`host`: polls
 * for a call's answer; `worker`: polls for the next call) and outcome (`caught`, `yielded`,
 * `missed`, `descheduled`; see halt-poll.ts), read from both sides at each scrape. It shows what
 * the polling costs and whether it pays: many `missed` with few `caught` means CPU burned for nothing.
 */
import { Counter } from '../metrics/prom-client.js';
import type { PollStats } from './halt-poll.js';
import { scrapeSources } from '../metrics/scrape-sources.js';

/** One isolated module's poll counters at a scrape (a side is absent when it does not poll). */
export interface ModulePolls {
  module: string;
  host?: PollStats | undefined;
  worker?: PollStats | undefined;
}

export type PollSource = () => Promise<ModulePolls>;

const OUTCOMES = ['caught', 'yielded', 'missed', 'descheduled'] as const;

/** Adds `source` to `registry`'s poll counter (registered the first time); returns the removal. */
export const reportPolls = scrapeSources<PollSource>((all, registry) => {
  new Counter({
    name: 'modhost_module_call_polls_total',
    help: "Polls of an isolated module's call channel instead of sleeping (call_polling), by side and outcome",
    labelNames: ['module', 'side', 'outcome'],
    registers: [registry],
    async collect() {
      const polls = await Promise.all([...all].map((s) => s()));
      this.reset();
      for (const p of polls)
        for (const side of ['host', 'worker'] as const) {
          const stats = p[side];
          if (stats !== undefined)
            for (const outcome of OUTCOMES)
              this.inc({ module: p.module, side, outcome }, stats[outcome]);
        }
    },
  });
});

/**
 * One runner per combination policy: the loops that call a slot's entries in order. Kept flat
 * and allocation-free on the happy path — `run` to N callbacks must cost about what a
 * hand-written `for … of` + `await` loop costs. Each call that started (`entry.calls`, bumped
 * in callEntry) is counted `settled` when its result or failure is back: the difference is the
 * module's calls in flight (metrics/module-metrics.ts), for one field store per call.
 */
import {
  type CustomRunContext,
  type FirstDecisivePolicy,
  type MergePolicy,
  type CallContext,
  DENIED,
  SKIPPED,
} from '../categories/types.js';
import { CONTINUE, handleFailure } from './failure.js';
import { callEntry } from './invoke.js';
import type { Slot } from './slot.js';
import type { CallbackEntry } from './entry.js';

export type Runner = (slot: Slot, args: readonly unknown[]) => Promise<unknown>;

async function runFirstDecisive(slot: Slot, args: readonly unknown[]): Promise<unknown> {
  const policy = slot.spec.combine as FirstDecisivePolicy;
  const normalise = policy.normalise;
  const prepare = slot.prepare;
  const entries = slot.entries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    let raw: unknown;
    try {
      raw = await callEntry(entry, args, prepare);
      entry.settled++;
    } catch (error) {
      entry.settled++;
      const outcome = handleFailure(slot.spec, entry, error, slot.logger);
      if (outcome === CONTINUE) continue;
      return outcome;
    }
    const result = normalise === undefined ? raw : normalise(raw, entry);
    if (!policy.isNeutral(result)) return result;
  }
  return policy.fallback();
}

async function runEvery(slot: Slot, args: readonly unknown[]): Promise<unknown> {
  const prepare = slot.prepare;
  const entries = slot.entries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    try {
      await callEntry(entry, args, prepare);
      entry.settled++;
    } catch (error) {
      entry.settled++;
      handleFailure(slot.spec, entry, error, slot.logger);
    }
  }
  return undefined;
}

async function runMerge(slot: Slot, args: readonly unknown[]): Promise<unknown> {
  const policy = slot.spec.combine as MergePolicy;
  const prepare = slot.prepare;
  const entries = slot.entries;
  let acc = policy.initial(args);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    let raw: unknown;
    try {
      raw = await callEntry(entry, args, prepare);
      entry.settled++;
    } catch (error) {
      entry.settled++;
      const outcome = handleFailure(slot.spec, entry, error, slot.logger);
      if (outcome === CONTINUE) continue;
      return outcome;
    }
    if (policy.isDecisive?.(raw)) return raw;
    acc = policy.reduce(acc, raw, entry);
  }
  return policy.finish === undefined ? acc : policy.finish(acc, args);
}

async function runOnce(slot: Slot, args: readonly unknown[]): Promise<unknown> {
  const entry = slot.entries[0]!;
  const prepare = slot.prepare;
  try {
    const result = await callEntry(entry, args, prepare);
    entry.settled++;
    return result;
  } catch (error) {
    entry.settled++;
    const outcome = handleFailure(slot.spec, entry, error, slot.logger);
    return outcome === CONTINUE ? slot.fallback(args) : outcome;
  }
}

async function runCustom(slot: Slot, args: readonly unknown[]): Promise<unknown> {
  if (slot.spec.combine.kind !== 'custom') throw new Error('unreachable');
  const context: CustomRunContext = {
    entries: slot.entries,
    run: slot.runSibling,
    invoke: (call: CallContext, callArgs: readonly unknown[]) => invokeOne(slot, call, callArgs),
  };
  return slot.spec.combine.run(context, args);
}

async function invokeOne(
  slot: Slot,
  call: CallContext,
  args: readonly unknown[],
): Promise<unknown> {
  const entry = call as CallbackEntry;
  const prepare = slot.prepare;
  try {
    const result = await callEntry(entry, args, prepare);
    entry.settled++;
    return result;
  } catch (error) {
    entry.settled++;
    const outcome = handleFailure(slot.spec, entry, error, slot.logger);
    return outcome === CONTINUE ? SKIPPED : DENIED;
  }
}

export const RUNNERS: Record<Slot['spec']['combine']['kind'], Runner> = {
  'first-decisive': runFirstDecisive,
  all: runEvery,
  merge: runMerge,
  once: runOnce,
  custom: runCustom,
};

/**
 * Working out a registration before anything changes: names and values are validated, values
 * are turned into entries, then the once and conflict rules decide which entries are kept. A
 * registration that fails any check leaves the registry untouched.
 */
import type { ModuleIdentity } from '../api/services.js';
import type { AcceptedEntry, CategoryDefinition } from '../categories/types.js';
import { ErrorCode } from '../errors/codes.js';
import { ModhostError } from '../errors/modhost-error.js';
import * as msg from '../errors/callback-messages.js';
import type { Logger } from '../logging/logger.js';
import type { Slot } from './slot.js';

export interface Category {
  definition: CategoryDefinition;
  slots: Map<string, Slot>;
  /** For exclusive categories: the module that provides it. */
  holder?: string;
}

/** One entry about to be added to `slot`, registered by the module under `registeredAs`. */
export interface Planned {
  slot: Slot;
  registeredAs: string;
  accepted: AcceptedEntry;
}

export function registrableNames(cat: Category): string[] {
  return Object.entries(cat.definition.callbacks)
    .filter(([, spec]) => !spec.internal)
    .map(([name]) => name);
}

/** Validates every name and value and turns the values into entries. */
export function planRegistration(
  owner: ModuleIdentity,
  cat: Category,
  callbacks: Record<string, unknown>,
): Planned[] {
  const category = cat.definition.name;
  const planned: Planned[] = [];
  for (const [name, value] of Object.entries(callbacks)) {
    const spec = cat.definition.callbacks[name];
    if (spec === undefined || spec.internal)
      throw new ModhostError(
        ErrorCode.UNKNOWN_CALLBACK,
        msg.unknownCallbackMessage(owner.name, category, name, registrableNames(cat)),
      );
    // Synapse's register_* functions take None for "not provided"; so does modhost.
    if (value === undefined || value === null) continue;
    for (const a of acceptValue(owner, cat, name, value)) {
      const slot = cat.slots.get(a.callback);
      if (slot === undefined)
        throw new ModhostError(
          ErrorCode.CATEGORY_INVALID,
          msg.invalidCategoryMessage(category, [
            `callbacks.${name}.accept produced an entry for unknown callback "${a.callback}"`,
          ]),
        );
      planned.push({ slot, registeredAs: name, accepted: a });
    }
  }
  return planned;
}

function acceptValue(
  owner: ModuleIdentity,
  cat: Category,
  name: string,
  value: unknown,
): AcceptedEntry[] {
  const category = cat.definition.name;
  const spec = cat.definition.callbacks[name]!;
  if (spec.accept === undefined) {
    if (typeof value !== 'function')
      throw new ModhostError(
        ErrorCode.CALLBACK_NOT_FUNCTION,
        msg.callbackNotFunctionMessage(owner.name, category, name, msg.describeValue(value)),
      );
    return [{ callback: name, fn: value }];
  }
  const reject = (problem: string): never => {
    throw new ModhostError(
      ErrorCode.CALLBACK_NOT_FUNCTION,
      msg.callbackValueRejectedMessage(owner.name, category, name, problem),
    );
  };
  return spec.accept(value, reject);
}

/** Once and conflict rules; returns the entries that survive (warn-and-ignore drops some). */
export function applyRegistrationRules(
  owner: ModuleIdentity,
  category: string,
  planned: Planned[],
  logger: Logger,
): Planned[] {
  const kept: Planned[] = [];
  for (const p of planned) {
    const { slot } = p;
    const spec = slot.spec;
    if (spec.combine.kind === 'once') {
      const holder =
        slot.entries[0]?.module ?? (kept.some((k) => k.slot === slot) ? owner.name : undefined);
      if (holder !== undefined) {
        if (spec.combine.duplicate === 'error')
          throw new ModhostError(
            ErrorCode.CALLBACK_ONCE_VIOLATED,
            msg.onceViolatedMessage(owner.name, category, slot.name, holder),
          );
        logger.warn(
          { module: owner.name, category, callback: slot.name },
          msg.onceIgnoredMessage(category, slot.name, holder),
        );
        continue;
      }
    }
    if (spec.conflict !== undefined) {
      const others = [
        ...slot.entries.map((e) => ({ module: e.module, data: e.data })),
        ...kept
          .filter((k) => k.slot === slot)
          .map((k) => ({ module: owner.name, data: k.accepted.data })),
      ];
      for (const other of others) {
        const reason = spec.conflict(other.data, p.accepted.data);
        if (reason !== undefined)
          throw new ModhostError(
            ErrorCode.CALLBACK_CONFLICT,
            msg.conflictMessage(owner.name, category, p.registeredAs, other.module, reason),
          );
      }
    }
    kept.push(p);
  }
  return kept;
}

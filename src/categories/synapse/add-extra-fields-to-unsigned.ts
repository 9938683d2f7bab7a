/**
 * add_extra_fields_to_unsigned (Synapse's events/utils.py). Results merge by dict update in
 * registration order (the last module wins a key); a key the event's own `unsigned` already
 * holds is never overwritten. The run resolves to the fields to add; the host adds them.
 */
import { defineCategory, merge, propagate } from '../define.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export const addExtraFieldsToUnsigned = defineCategory({
  name: 'add_extra_fields_to_unsigned',
  description: "Extra fields for an event's `unsigned` section when it is served to clients.",
  callbacks: {
    add_field_to_unsigned: {
      combine: merge({
        initial: () => ({}),
        reduce: (acc, raw, call) => {
          if (raw === null || raw === undefined) return acc;
          if (!isPlainObject(raw)) {
            call.warn('add_field_to_unsigned returned a non-object; ignoring it');
            return acc;
          }
          return Object.assign(acc as Record<string, unknown>, raw);
        },
        finish: (acc, args) => {
          const event = args[0] as { unsigned?: Record<string, unknown> } | undefined;
          const own = event?.unsigned;
          if (!isPlainObject(own)) return acc;
          const fields = acc as Record<string, unknown>;
          for (const key of Object.keys(own)) delete fields[key];
          return fields;
        },
      }),
      onError: propagate(),
      // The event is immutable in Synapse.
      args: ['frozen'],
    },
  },
});

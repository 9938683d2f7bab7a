/**
 * Key parts on the wire, types preserved: a number key must invalidate a number key on the other
 * side (Synapse sends strings, so `1` and `"1"` collide there). JSON carries strings, finite
 * numbers, booleans and null as themselves; everything else JSON would lose becomes a small
 * tagged object `{ $: tag, v? }`. Plain values are never objects, so the two cannot be confused.
 */
export type EncodedPart =
  | string
  | number
  | boolean
  | null
  | { $: 'bigint'; v: string }
  | { $: 'undefined' }
  | { $: 'number'; v: 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { $: 'array'; v: EncodedPart[] };

/** Marks a part that cannot travel (object, function, symbol); the caller names it in an error. */
export const UNSENDABLE = Symbol('unsendable');

export function encodePart(part: unknown): EncodedPart | typeof UNSENDABLE {
  switch (typeof part) {
    case 'string':
    case 'boolean':
      return part;
    case 'number':
      if (Number.isNaN(part)) return { $: 'number', v: 'NaN' };
      if (part === Number.POSITIVE_INFINITY) return { $: 'number', v: 'Infinity' };
      if (part === Number.NEGATIVE_INFINITY) return { $: 'number', v: '-Infinity' };
      if (Object.is(part, -0)) return { $: 'number', v: '-0' };
      return part;
    case 'bigint':
      return { $: 'bigint', v: part.toString() };
    case 'undefined':
      return { $: 'undefined' };
    case 'object': {
      if (part === null) return null;
      if (!Array.isArray(part)) return UNSENDABLE;
      const items: EncodedPart[] = [];
      for (const item of part) {
        const encoded = encodePart(item);
        if (encoded === UNSENDABLE) return UNSENDABLE;
        items.push(encoded);
      }
      return { $: 'array', v: items };
    }
    default:
      return UNSENDABLE;
  }
}

const SPECIAL_NUMBERS: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

/** The inverse of `encodePart`; throws a plain Error describing what is malformed. */
export function decodePart(encoded: unknown): unknown {
  if (encoded === null) return null;
  switch (typeof encoded) {
    case 'string':
    case 'number':
    case 'boolean':
      return encoded;
    case 'object':
      break;
    default:
      throw new Error(`unexpected ${typeof encoded} in a key`);
  }
  const tagged = encoded as { $?: unknown; v?: unknown };
  switch (tagged.$) {
    case 'bigint':
      if (typeof tagged.v === 'string' && /^-?\d+$/.test(tagged.v)) return BigInt(tagged.v);
      break;
    case 'undefined':
      return undefined;
    case 'number':
      if (typeof tagged.v === 'string' && tagged.v in SPECIAL_NUMBERS) {
        return SPECIAL_NUMBERS[tagged.v];
      }
      break;
    case 'array':
      if (Array.isArray(tagged.v)) return tagged.v.map(decodePart);
      break;
  }
  throw new Error(`unknown key part encoding ${JSON.stringify(encoded)}`);
}

/**
 * Reads the body source of an undici Response built from a string or bytes (as `Response.json`
 * does) without going through its stream. undici keeps it in an internal `state.body.source`;
 * the symbol is found once by probing. Node 20 and 22 have it; Node 24+'s undici keeps its state
 * in private fields, and there the caller reads the stream ahead instead (read-ahead.ts), so this
 * is only ever an optimisation.
 */
let stateKey: symbol | undefined | null = null;

function findStateKey(): symbol | undefined {
  const probe = new Response('probe');
  for (const key of Object.getOwnPropertySymbols(probe)) {
    const value = (probe as unknown as Record<symbol, any>)[key];
    if (value && typeof value === 'object' && value.body && value.body.source === 'probe')
      return key;
  }
  return undefined;
}

/** The string or bytes the response's body was built from, if cheaply known and unread. */
export function responseSource(response: Response): string | Uint8Array | undefined {
  if (stateKey === null) stateKey = findStateKey();
  if (stateKey === undefined) return undefined;
  const state = (response as unknown as Record<symbol, any>)[stateKey];
  const body = state?.body;
  if (!body) return undefined;
  const source = body.source;
  if (typeof source !== 'string' && !(source instanceof Uint8Array)) return undefined;
  if (body.stream?.locked || response.bodyUsed) return undefined;
  return source;
}

/**
 * The Request a handler gets through `host.fetch`: a real undici Request whose `json()` fails
 * the way the Node adapter's does (a SyntaxError the server answers with 400 M_NOT_JSON), so a
 * handler behaves the same whichever way the request arrived.
 *
 * The class is made on first use: `extends Request` reads the global `Request`, which in Node 20
 * loads undici (about 25 ms) — a cost importing modhost must not carry.
 */
import { parseRequestJson } from './json.js';

let FetchRequest: typeof Request | undefined;

function defineFetchRequest(): typeof Request {
  return class FetchRequest extends Request {
    override json(): Promise<unknown> {
      return this.text().then(parseRequestJson);
    }
  };
}

export function fetchRequest(input: string, init: RequestInit): Request {
  FetchRequest ??= defineFetchRequest();
  return new FetchRequest(input, init);
}

/**
 * The Request a handler gets through `host.fetch`: a real undici Request whose `json()` fails
 * the way the Node adapter's does (a SyntaxError the server answers with 400 M_NOT_JSON), so a
 * handler behaves the same whichever way the request arrived.
 */
import { parseRequestJson } from './json.js';

export class FetchRequest extends Request {
  override json(): Promise<unknown> {
    return this.text().then(parseRequestJson);
  }
}

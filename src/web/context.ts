/** The context passed to handlers next to the request; `url` is parsed only when read. */
import type { WebRequestContext } from '../api/services.js';
import { NO_PARAMS } from './route-pattern.js';

export class RequestContext implements WebRequestContext {
  private parsed: URL | undefined;

  constructor(
    readonly module: string,
    readonly path: string,
    readonly subpath: string,
    private readonly request: Request,
    readonly params: Readonly<Record<string, string>> = NO_PARAMS,
  ) {}

  get url(): URL {
    if (this.parsed === undefined) this.parsed = new URL(this.request.url);
    return this.parsed;
  }
}

/**
 * department: the seed's caching example, done right.
 *
 * The seed's Python registers the wrong function (`get_user_from_id`), calls an attribute that
 * does not exist (`self.http_client`), subscripts the un-awaited coroutine, and has no way for
 * anyone to trigger the invalidation. Here:
 * - `departmentOf(userId)` is `@Cached` (registered for cluster-wide invalidation automatically)
 *   and fetches from the directory with the module's HTTP client;
 * - `GET /_synapse/client/department/lookup?user_id=` serves the cached answer;
 * - `POST /_synapse/client/department/invalidate` with `{"user_id": ...}` and the shared bearer
 *   token invalidates that entry here and on every other instance (`api.invalidateCache`).
 */
import { timingSafeEqual } from 'node:crypto';
import { Cached, Module, WebResource } from 'modhost/decorators';
import { ErrorCode, ModhostError, ModuleApi, readJson } from 'modhost';
import { DepartmentConfig } from './department.config.js';

const BASE = '/_synapse/client/department';

function matrixError(status: number, errcode: string, error: string): Response {
  return Response.json({ errcode, error }, { status });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

@Module({ name: 'department', config: DepartmentConfig })
export class Department {
  /** Calls made to the directory (lets tests and the demo show what the cache saves). */
  directoryCalls = 0;

  constructor(
    private readonly api: ModuleApi,
    private readonly config: DepartmentConfig,
  ) {}

  @Cached({ maxEntries: 10_000, ttl: '10m' })
  async departmentOf(userId: string): Promise<string> {
    this.directoryCalls += 1;
    const answer = await this.api.http.getJson<{ department?: unknown }>(
      this.config.directory_url,
      { user_id: userId },
    );
    if (typeof answer?.department !== 'string') {
      throw new Error(
        `the directory at ${this.config.directory_url} answered ${JSON.stringify(answer)} for ${userId}; expected {"department": "<name>"}`,
      );
    }
    return answer.department;
  }

  @WebResource(`${BASE}/lookup`, { methods: ['GET'] })
  async lookup(request: Request): Promise<Response> {
    const userId = new URL(request.url).searchParams.get('user_id');
    if (!userId) return matrixError(400, 'M_MISSING_PARAM', 'user_id is required');
    try {
      return Response.json({ user_id: userId, department: await this.departmentOf(userId) });
    } catch (err) {
      this.api.logger.warn({ err, user_id: userId }, 'directory lookup failed');
      return matrixError(502, 'M_UNKNOWN', 'The directory could not be reached');
    }
  }

  @WebResource(`${BASE}/invalidate`, { methods: ['POST'] })
  async invalidate(request: Request): Promise<Response> {
    const secret = this.config.invalidation_secret;
    const auth = request.headers.get('authorization') ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (secret === undefined || !sameSecret(given, secret))
      return matrixError(403, 'M_FORBIDDEN', 'A valid invalidation token is required');
    // readJson: a body that is not JSON gets the server's 400 M_NOT_JSON.
    const body = await readJson<{ user_id?: unknown } | null>(request);
    if (typeof body?.user_id !== 'string')
      return matrixError(400, 'M_MISSING_PARAM', 'user_id (a string) is required');
    try {
      await this.api.invalidateCache(this.departmentOf, [body.user_id]);
    } catch (err) {
      // Redis did not confirm it to the other instances: not a success the caller may rely on.
      if (!(err instanceof ModhostError) || err.code !== ErrorCode.INVALIDATION_NOT_PUBLISHED)
        throw err;
      return matrixError(503, 'M_UNKNOWN', 'Invalidated here but not yet on every instance; retry');
    }
    return Response.json({ invalidated: body.user_id });
  }
}

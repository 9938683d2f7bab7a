/**
 * password_auth_provider (Synapse's handlers/auth.py).
 *
 * Synapse registers auth checkers as a dict keyed by `(login_type, fields)`. modhost takes a map
 * keyed by login type:
 *
 *   api.registerPasswordAuthProviderCallbacks({
 *     auth_checkers: {
 *       'm.login.password': { fields: ['password'], check: (username, loginType, loginDict) => ... },
 *       'com.example.otp':  { fields: ['otp'], check: checkOtp },
 *     },
 *   });
 *
 * Each checker becomes an entry of the internal callback `check_auth`, which the host runs as
 * `run('password_auth_provider', 'check_auth', username, loginType, loginDict)`: the checkers of
 * that login type are tried in config order, each with a login dict holding only the registered
 * fields; a missing field is a 400 "Missing parameters" before any checker runs. Two modules
 * registering one login type with different fields refuse to start (Synapse's docs; its code
 * silently keeps the later list). `supportedLoginTypes(registry)` lists what is registered.
 */
import { HttpError } from '../../callbacks/http-error.js';
import {
  custom,
  defineCategory,
  firstDecisive,
  ignoreAndLog,
  runAll,
  wrapAsModuleFailure,
} from '../define.js';
import { type AcceptedEntry, type CallContext, DENIED, SKIPPED } from '../types.js';
import type { Awaitable } from './types.js';
import { Codes } from './constants.js';

/** Run after a successful login with the login response body. */
export type PostLoginCallback = (response: Record<string, unknown>) => Awaitable<void>;
/** A successful authentication: the full user id and an optional post-login callback. */
export type AuthResult = readonly [userId: string, postLogin: PostLoginCallback | null];

export type AuthChecker = (
  username: string,
  loginType: string,
  loginDict: Record<string, unknown>,
) => Awaitable<AuthResult | null | undefined>;

export interface AuthCheckerRegistration {
  /** The login dict fields the checker needs; only these reach it. */
  fields: readonly string[];
  check: AuthChecker;
}

/** `auth_checkers` as modhost takes it: login type → fields and check function. */
export type AuthCheckers = Readonly<Record<string, AuthCheckerRegistration>>;

/** What a `check_auth` entry carries. */
export interface AuthCheckerData {
  loginType: string;
  fields: readonly string[];
}

function acceptAuthCheckers(value: unknown, reject: (problem: string) => never): AcceptedEntry[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    reject(
      "auth_checkers must be an object mapping login types to { fields: string[], check: function }, e.g. { 'm.login.password': { fields: ['password'], check } }",
    );
  const entries: AcceptedEntry[] = [];
  for (const [loginType, registration] of Object.entries(value as Record<string, unknown>)) {
    const r = registration as Partial<AuthCheckerRegistration> | null;
    if (loginType === '') reject('auth_checkers has an empty login type');
    if (r === null || typeof r !== 'object')
      reject(`auth_checkers["${loginType}"] must be { fields: string[], check: function }`);
    if (!Array.isArray(r!.fields) || !r!.fields.every((f) => typeof f === 'string'))
      reject(`auth_checkers["${loginType}"].fields must be an array of field names`);
    if (typeof r!.check !== 'function')
      reject(`auth_checkers["${loginType}"].check must be a function`);
    const data: AuthCheckerData = { loginType, fields: Object.freeze([...r!.fields!]) };
    entries.push({ callback: 'check_auth', fn: r!.check!, data });
  }
  return entries;
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((f, i) => f === sb[i]);
}

function authConflict(existing: unknown, added: unknown): string | undefined {
  const a = existing as AuthCheckerData;
  const b = added as AuthCheckerData;
  if (a.loginType !== b.loginType || sameFields(a.fields, b.fields)) return undefined;
  return (
    `login type "${a.loginType}" is registered with fields [${a.fields.join(', ')}] ` +
    `and again with fields [${b.fields.join(', ')}]`
  );
}

/** `[user_id: string, callback | null]`, or undefined (with a warning) when malformed. */
function validAuthResult(raw: unknown, call: CallContext): AuthResult | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (
    Array.isArray(raw) &&
    raw.length === 2 &&
    typeof raw[0] === 'string' &&
    (raw[1] === null || raw[1] === undefined || typeof raw[1] === 'function')
  )
    return [raw[0], (raw[1] as PostLoginCallback | undefined) ?? null];
  call.warn('Auth checker returned a malformed result; expected [userId, callback or null]');
  return undefined;
}

async function checkAuth(
  context: Parameters<Parameters<typeof custom>[0]>[0],
  args: readonly unknown[],
): Promise<AuthResult | null> {
  const [username, loginType, loginDict] = args as [string, string, Record<string, unknown>];
  const checkers = context.entries.filter(
    (e) => (e.data as AuthCheckerData).loginType === loginType,
  );
  if (checkers.length === 0) return null;
  const fields = (checkers[0]!.data as AuthCheckerData).fields;
  const given = loginDict ?? {};
  const missing = fields.filter((f) => !(f in given));
  if (missing.length > 0)
    throw new HttpError(
      400,
      Codes.MISSING_PARAM,
      `Missing parameters for login type ${loginType}: [${missing.join(', ')}]`,
    );
  const only = Object.fromEntries(fields.map((f) => [f, given[f]]));
  for (const checker of checkers) {
    const raw = await context.invoke(checker, [username, loginType, only]);
    if (raw === DENIED) return null;
    if (raw === SKIPPED) continue;
    const result = validAuthResult(raw, checker);
    if (result) return result;
  }
  return null;
}

function firstValidAuthResult(raw: unknown, call: CallContext): unknown {
  return validAuthResult(raw, call) ?? null;
}

function firstString(raw: unknown, call: CallContext): unknown {
  if (typeof raw === 'string') return raw;
  if (raw !== null && raw !== undefined)
    call.warn('Expected a string or null; ignoring the result', { result: String(raw) });
  return null;
}

function booleanOnly(raw: unknown, call: CallContext): unknown {
  if (typeof raw === 'boolean') return raw;
  call.warn('is_3pid_allowed returned a non-boolean; ignoring it', { result: String(raw) });
  return true;
}

const isNull = (r: unknown): boolean => r === null;

const INTERNAL_SERVER_ERROR = wrapAsModuleFailure({
  message: 'Internal Server Error',
  keepHttpErrors: false,
});

export const passwordAuthProvider = defineCategory({
  name: 'password_auth_provider',
  description: 'Custom login types, 3PID logins, registration names and 3PID policy.',
  callbacks: {
    auth_checkers: {
      // Registration-only: the checkers become `check_auth` entries.
      combine: runAll(),
      onError: ignoreAndLog(),
      accept: acceptAuthCheckers,
      args: [],
    },
    check_auth: {
      combine: custom(checkAuth),
      onError: ignoreAndLog(),
      decision: { deny: () => null },
      internal: true,
      conflict: authConflict,
      // The login dict (only the registered fields) is each checker's own copy.
      args: ['shared', 'shared', 'copy'],
    },
    check_3pid_auth: {
      combine: firstDecisive({
        normalise: firstValidAuthResult,
        isNeutral: isNull,
        fallback: () => null,
      }),
      onError: ignoreAndLog(),
      decision: { deny: () => null },
      args: ['shared', 'shared', 'shared'],
    },
    on_logged_out: {
      combine: runAll(),
      onError: ignoreAndLog(),
      args: ['shared', 'shared', 'shared'],
    },
    // Synapse turns ANY exception of these three into 500 "Internal Server Error", even one
    // carrying its own status. uia_results and params are dicts Synapse passes by reference;
    // here each callback gets its own copy.
    get_username_for_registration: {
      combine: firstDecisive({ normalise: firstString, isNeutral: isNull, fallback: () => null }),
      onError: INTERNAL_SERVER_ERROR,
      args: ['copy', 'copy'],
    },
    get_displayname_for_registration: {
      combine: firstDecisive({ normalise: firstString, isNeutral: isNull, fallback: () => null }),
      onError: INTERNAL_SERVER_ERROR,
      args: ['copy', 'copy'],
    },
    is_3pid_allowed: {
      // The host answers a false with 403 M_THREEPID_DENIED.
      combine: firstDecisive({
        normalise: booleanOnly,
        isNeutral: (r) => r !== false,
        fallback: () => true,
      }),
      onError: INTERNAL_SERVER_ERROR,
      decision: { deny: () => false },
      args: ['shared', 'shared', 'shared'],
    },
  },
});

/** Login types with registered checkers and the fields each needs, in registration order. */
export function supportedLoginTypes(registry: {
  entries(category: string, name: string): readonly CallContext[];
}): Map<string, readonly string[]> {
  const types = new Map<string, readonly string[]>();
  for (const entry of registry.entries('password_auth_provider', 'check_auth')) {
    const data = entry.data as AuthCheckerData;
    if (!types.has(data.loginType)) types.set(data.loginType, data.fields);
  }
  return types;
}

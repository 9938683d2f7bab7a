/** Constants of Synapse's module API that modules return or compare against. */

/** A spam checker's "this is fine" (Synapse's `NOT_SPAM`). */
export const NOT_SPAM = 'NOT_SPAM' as const;
export type NotSpam = typeof NOT_SPAM;

/** Matrix error codes (Synapse's `synapse.api.errors.Codes`). */
export const Codes = {
  UNAUTHORIZED: 'M_UNAUTHORIZED',
  FORBIDDEN: 'M_FORBIDDEN',
  BAD_JSON: 'M_BAD_JSON',
  NOT_JSON: 'M_NOT_JSON',
  USER_IN_USE: 'M_USER_IN_USE',
  ROOM_IN_USE: 'M_ROOM_IN_USE',
  BAD_PAGINATION: 'M_BAD_PAGINATION',
  BAD_STATE: 'M_BAD_STATE',
  UNKNOWN: 'M_UNKNOWN',
  NOT_FOUND: 'M_NOT_FOUND',
  MISSING_TOKEN: 'M_MISSING_TOKEN',
  UNKNOWN_TOKEN: 'M_UNKNOWN_TOKEN',
  GUEST_ACCESS_FORBIDDEN: 'M_GUEST_ACCESS_FORBIDDEN',
  LIMIT_EXCEEDED: 'M_LIMIT_EXCEEDED',
  CAPTCHA_NEEDED: 'M_CAPTCHA_NEEDED',
  CAPTCHA_INVALID: 'M_CAPTCHA_INVALID',
  MISSING_PARAM: 'M_MISSING_PARAM',
  INVALID_PARAM: 'M_INVALID_PARAM',
  TOO_LARGE: 'M_TOO_LARGE',
  EXCLUSIVE: 'M_EXCLUSIVE',
  THREEPID_AUTH_FAILED: 'M_THREEPID_AUTH_FAILED',
  THREEPID_IN_USE: 'M_THREEPID_IN_USE',
  THREEPID_NOT_FOUND: 'M_THREEPID_NOT_FOUND',
  THREEPID_DENIED: 'M_THREEPID_DENIED',
  INVALID_USERNAME: 'M_INVALID_USERNAME',
  SERVER_NOT_TRUSTED: 'M_SERVER_NOT_TRUSTED',
  CONSENT_NOT_GIVEN: 'M_CONSENT_NOT_GIVEN',
  CANNOT_LEAVE_SERVER_NOTICE_ROOM: 'M_CANNOT_LEAVE_SERVER_NOTICE_ROOM',
  RESOURCE_LIMIT_EXCEEDED: 'M_RESOURCE_LIMIT_EXCEEDED',
  UNSUPPORTED_ROOM_VERSION: 'M_UNSUPPORTED_ROOM_VERSION',
  INCOMPATIBLE_ROOM_VERSION: 'M_INCOMPATIBLE_ROOM_VERSION',
  WRONG_ROOM_KEYS_VERSION: 'M_WRONG_ROOM_KEYS_VERSION',
  EXPIRED_ACCOUNT: 'ORG_MATRIX_EXPIRED_ACCOUNT',
  PASSWORD_TOO_SHORT: 'M_PASSWORD_TOO_SHORT',
  PASSWORD_NO_DIGIT: 'M_PASSWORD_NO_DIGIT',
  PASSWORD_NO_UPPERCASE: 'M_PASSWORD_NO_UPPERCASE',
  PASSWORD_NO_LOWERCASE: 'M_PASSWORD_NO_LOWERCASE',
  PASSWORD_NO_SYMBOL: 'M_PASSWORD_NO_SYMBOL',
  PASSWORD_IN_DICTIONARY: 'M_PASSWORD_IN_DICTIONARY',
  WEAK_PASSWORD: 'M_WEAK_PASSWORD',
  INVALID_SIGNATURE: 'M_INVALID_SIGNATURE',
  USER_DEACTIVATED: 'M_USER_DEACTIVATED',
  USER_LOCKED: 'M_USER_LOCKED',
  USER_AWAITING_APPROVAL: 'ORG_MATRIX_MSC3866_USER_AWAITING_APPROVAL',
  UNRECOGNIZED: 'M_UNRECOGNIZED',
  BAD_ALIAS: 'M_BAD_ALIAS',
  UNREDACTED_CONTENT_DELETED: 'FI.MAU.MSC2815_UNREDACTED_CONTENT_DELETED',
  INVALID_ROOM_STATE: 'M_INVALID_ROOM_STATE',
  EXPIRED_ACCOUNT_LEGACY: 'M_EXPIRED_ACCOUNT',
  CANNOT_OVERWRITE_MEDIA: 'FI.MAU.MSC2246_CANNOT_OVERWRITE_MEDIA',
  NOT_YET_UPLOADED: 'FI.MAU.MSC2246_NOT_YET_UPLOADED',
} as const;
export type Code = (typeof Codes)[keyof typeof Codes];

const CODE_VALUES: ReadonlySet<string> = new Set(Object.values(Codes));

/** Whether `value` is one of the Matrix error codes above. */
export function isCode(value: unknown): value is Code {
  return typeof value === 'string' && CODE_VALUES.has(value);
}

/** What `check_registration_for_spam` decides (Synapse's `RegistrationBehaviour`). */
export const RegistrationBehaviour = {
  ALLOW: 'allow',
  SHADOW_BAN: 'shadow_ban',
  DENY: 'deny',
} as const;
export type RegistrationBehaviour =
  (typeof RegistrationBehaviour)[keyof typeof RegistrationBehaviour];

/** `get_interested_users` result meaning "every user" (Synapse's `PresenceRouter.ALL_USERS`). */
export const PRESENCE_ALL_USERS = 'ALL' as const;
export type PresenceAllUsers = typeof PRESENCE_ALL_USERS;

/** A spam checker's rejection: a code and extra fields for the error body. */
export type SpamRejection = readonly [Code | string, Record<string, unknown>];
/** A normalised spam decision: `NOT_SPAM` or a rejection. */
export type SpamDecision = NotSpam | SpamRejection;

/**
 * Compile-time signatures of the built-in Synapse callbacks, per category. `@Callback(category,
 * name)` checks a decorated method against these; the `register…Callbacks` helpers on ModuleApi
 * take the `…Callbacks` interfaces (every member optional, as Synapse's keyword arguments).
 */
import type { BackgroundUpdateContext } from './background-update-controller.js';
import type {
  Code,
  NotSpam,
  PresenceAllUsers,
  RegistrationBehaviour,
  SpamDecision,
  SpamRejection,
} from './constants.js';
import type { AuthCheckers, AuthResult } from './password-auth-provider.js';
import type { RatelimitOverride } from './ratelimit.js';
import type { EventAllowedResult } from './third-party-rules.js';
import type {
  Awaitable,
  JsonDict,
  RequestInfo,
  StateEvents,
  SynapseEvent,
  UserProfile,
} from './types.js';

/** What spam checks may return before normalisation (deprecated forms included). */
export type SpamCheckResult = NotSpam | Code | SpamRejection | boolean | string;

export interface SpamCheckerCallbacks {
  check_event_for_spam?: (event: SynapseEvent) => Awaitable<SpamCheckResult>;
  should_drop_federated_event?: (event: SynapseEvent) => Awaitable<boolean | string>;
  user_may_join_room?: (
    userId: string,
    roomId: string,
    isInvited: boolean,
  ) => Awaitable<NotSpam | Code | SpamRejection | boolean>;
  user_may_invite?: (
    inviterUserId: string,
    inviteeUserId: string,
    roomId: string,
  ) => Awaitable<NotSpam | Code | SpamRejection | boolean>;
  federated_user_may_invite?: (
    event: SynapseEvent,
  ) => Awaitable<NotSpam | Code | SpamRejection | boolean>;
  user_may_send_3pid_invite?: (
    inviterUserId: string,
    medium: string,
    address: string,
    roomId: string,
  ) => Awaitable<NotSpam | Code | SpamRejection | boolean>;
  user_may_create_room?: (
    userId: string,
    roomConfig: JsonDict,
  ) => Awaitable<NotSpam | Code | SpamRejection | boolean>;
  user_may_create_room_alias?: (
    userId: string,
    roomAlias: string,
  ) => Awaitable<NotSpam | Code | SpamRejection | boolean>;
  user_may_publish_room?: (
    userId: string,
    roomId: string,
  ) => Awaitable<NotSpam | Code | SpamRejection | boolean>;
  user_may_send_state_event?: (
    userId: string,
    roomId: string,
    eventType: string,
    stateKey: string,
    content: JsonDict,
  ) => Awaitable<NotSpam | Code>;
  check_username_for_spam?: (userProfile: UserProfile, requesterId: string) => Awaitable<boolean>;
  check_registration_for_spam?: (
    emailThreepid: JsonDict | null,
    username: string | null,
    requestInfo: RequestInfo,
    authProviderId: string | null,
  ) => Awaitable<RegistrationBehaviour>;
  check_media_file_for_spam?: (file: unknown, fileInfo: JsonDict) => Awaitable<SpamCheckResult>;
  check_login_for_spam?: (
    userId: string,
    deviceId: string | null,
    initialDisplayName: string | null,
    requestInfo: RequestInfo,
    authProviderId: string | null,
  ) => Awaitable<NotSpam | Code | SpamRejection>;
}

export interface ThirdPartyRulesCallbacks {
  check_event_allowed?: (
    event: SynapseEvent,
    stateEvents: StateEvents,
  ) => Awaitable<EventAllowedResult | boolean>;
  on_create_room?: (
    requester: JsonDict,
    requestContent: JsonDict,
    isRequesterAdmin: boolean,
  ) => Awaitable<void>;
  check_threepid_can_be_invited?: (
    medium: string,
    address: string,
    stateEvents: StateEvents,
  ) => Awaitable<boolean>;
  check_visibility_can_be_modified?: (
    roomId: string,
    stateEvents: StateEvents,
    newVisibility: string,
  ) => Awaitable<boolean>;
  on_new_event?: (event: SynapseEvent, stateEvents: StateEvents) => Awaitable<void>;
  check_can_shutdown_room?: (userId: string | null, roomId: string) => Awaitable<boolean>;
  check_can_deactivate_user?: (userId: string, byAdmin: boolean) => Awaitable<boolean>;
  on_profile_update?: (
    userId: string,
    newProfile: JsonDict,
    byAdmin: boolean,
    deactivation: boolean,
  ) => Awaitable<void>;
  on_user_deactivation_status_changed?: (
    userId: string,
    deactivated: boolean,
    byAdmin: boolean,
  ) => Awaitable<void>;
  on_threepid_bind?: (userId: string, medium: string, address: string) => Awaitable<void>;
  on_add_user_third_party_identifier?: (
    userId: string,
    medium: string,
    address: string,
  ) => Awaitable<void>;
  on_remove_user_third_party_identifier?: (
    userId: string,
    medium: string,
    address: string,
  ) => Awaitable<void>;
}

export interface AccountValidityCallbacks {
  is_user_expired?: (userId: string) => Awaitable<boolean | null>;
  on_user_registration?: (userId: string) => Awaitable<void>;
  on_user_login?: (
    userId: string,
    authProviderType: string | null,
    authProviderId: string | null,
  ) => Awaitable<void>;
  on_legacy_send_mail?: (userId: string) => Awaitable<void>;
  on_legacy_renew?: (renewalToken: string) => Awaitable<readonly [boolean, boolean, number]>;
  on_legacy_admin_request?: (request: unknown) => Awaitable<number>;
}

export interface PasswordAuthProviderCallbacks {
  /** Login type → `{ fields, check }` (see password-auth-provider.ts). Not a decorator target. */
  auth_checkers?: AuthCheckers;
  check_3pid_auth?: (
    medium: string,
    address: string,
    password: string,
  ) => Awaitable<AuthResult | null>;
  on_logged_out?: (userId: string, deviceId: string | null, accessToken: string) => Awaitable<void>;
  get_username_for_registration?: (
    uiaResults: JsonDict,
    params: JsonDict,
  ) => Awaitable<string | null>;
  get_displayname_for_registration?: (
    uiaResults: JsonDict,
    params: JsonDict,
  ) => Awaitable<string | null>;
  is_3pid_allowed?: (medium: string, address: string, registration: boolean) => Awaitable<boolean>;
}

export interface PresenceRouterCallbacks {
  get_users_for_states?: (
    stateUpdates: readonly unknown[],
  ) => Awaitable<
    ReadonlyMap<string, ReadonlySet<unknown>> | Record<string, ReadonlySet<unknown> | unknown[]>
  >;
  get_interested_users?: (
    userId: string,
  ) => Awaitable<ReadonlySet<string> | readonly string[] | PresenceAllUsers>;
}

export interface BackgroundUpdateControllerCallbacks {
  on_update?: (
    updateName: string,
    databaseName: string,
    oneShot: boolean,
  ) => BackgroundUpdateContext;
  default_batch_size?: (updateName: string, databaseName: string) => Awaitable<number>;
  min_batch_size?: (updateName: string, databaseName: string) => Awaitable<number>;
}

export interface AccountDataCallbacks {
  on_account_data_updated?: (
    userId: string,
    roomId: string | null,
    accountDataType: string,
    content: JsonDict,
  ) => Awaitable<void>;
}

export interface AddExtraFieldsToUnsignedCallbacks {
  add_field_to_unsigned?: (event: SynapseEvent) => Awaitable<JsonDict>;
}

export interface MediaRepositoryCallbacks {
  get_media_config_for_user?: (userId: string) => Awaitable<JsonDict | null>;
  is_user_allowed_to_upload_media_of_size?: (userId: string, size: number) => Awaitable<boolean>;
  get_media_upload_limits_for_user?: (userId: string) => Awaitable<readonly JsonDict[] | null>;
  on_media_upload_limit_exceeded?: (
    userId: string,
    limit: JsonDict,
    sentBytes: number,
    attemptedBytes: number,
  ) => Awaitable<void>;
}

export interface RatelimitCallbacks {
  get_ratelimit_override_for_user?: (
    userId: string,
    limiterName: string,
  ) => Awaitable<RatelimitOverride | null>;
}

/** Registration shapes per category (every member optional). */
export interface SynapseCallbacks {
  spam_checker: SpamCheckerCallbacks;
  third_party_rules: ThirdPartyRulesCallbacks;
  account_validity: AccountValidityCallbacks;
  password_auth_provider: PasswordAuthProviderCallbacks;
  presence_router: PresenceRouterCallbacks;
  background_update_controller: BackgroundUpdateControllerCallbacks;
  account_data: AccountDataCallbacks;
  add_extra_fields_to_unsigned: AddExtraFieldsToUnsignedCallbacks;
  media_repository: MediaRepositoryCallbacks;
  ratelimit: RatelimitCallbacks;
}

/** Function-valued members only: what a decorated method may stand for. */
type MethodSignatures<T> = {
  [
    K in keyof T as NonNullable<T[K]> extends (...args: any[]) => unknown ? K : never
  ]-?: NonNullable<T[K]>;
};

/** Per category and callback, the signature a `@Callback` method must fit. */
export interface SynapseCallbackSignatures {
  spam_checker: MethodSignatures<SpamCheckerCallbacks>;
  third_party_rules: MethodSignatures<ThirdPartyRulesCallbacks>;
  account_validity: MethodSignatures<AccountValidityCallbacks>;
  password_auth_provider: MethodSignatures<PasswordAuthProviderCallbacks>;
  presence_router: MethodSignatures<PresenceRouterCallbacks>;
  background_update_controller: MethodSignatures<BackgroundUpdateControllerCallbacks>;
  account_data: MethodSignatures<AccountDataCallbacks>;
  add_extra_fields_to_unsigned: MethodSignatures<AddExtraFieldsToUnsignedCallbacks>;
  media_repository: MethodSignatures<MediaRepositoryCallbacks>;
  ratelimit: MethodSignatures<RatelimitCallbacks>;
}

/** What `run(category, name, ...)` resolves to for each Synapse callback, after combination. */
export interface SynapseRunResults {
  spam_checker: {
    check_event_for_spam: SpamDecision;
    /** The first truthy result as the module returned it, or false. */
    should_drop_federated_event: unknown;
    user_may_join_room: SpamDecision;
    user_may_invite: SpamDecision;
    federated_user_may_invite: SpamDecision;
    user_may_send_3pid_invite: SpamDecision;
    user_may_create_room: SpamDecision;
    user_may_create_room_alias: SpamDecision;
    user_may_publish_room: SpamDecision;
    user_may_send_state_event: SpamDecision;
    check_username_for_spam: boolean;
    check_registration_for_spam: RegistrationBehaviour;
    check_media_file_for_spam: SpamDecision;
    check_login_for_spam: SpamDecision;
  };
  third_party_rules: {
    check_event_allowed: EventAllowedResult;
    on_create_room: void;
    check_threepid_can_be_invited: boolean;
    check_visibility_can_be_modified: boolean;
    on_new_event: void;
    check_can_shutdown_room: boolean;
    check_can_deactivate_user: boolean;
    on_profile_update: void;
    on_user_deactivation_status_changed: void;
    on_threepid_bind: void;
    on_add_user_third_party_identifier: void;
    on_remove_user_third_party_identifier: void;
  };
  account_validity: {
    is_user_expired: boolean;
    on_user_registration: void;
    on_user_login: void;
    on_legacy_send_mail: void;
    on_legacy_renew: readonly [boolean, boolean, number] | undefined;
    on_legacy_admin_request: number | undefined;
  };
  password_auth_provider: {
    /** Per-login-type dispatch over the registered auth checkers. */
    check_auth: AuthResult | null;
    check_3pid_auth: AuthResult | null;
    on_logged_out: void;
    get_username_for_registration: string | null;
    get_displayname_for_registration: string | null;
    /** false: answer 403 M_THREEPID_DENIED. */
    is_3pid_allowed: boolean;
  };
  presence_router: {
    get_users_for_states: Map<string, Set<unknown>>;
    get_interested_users: Set<string> | PresenceAllUsers;
  };
  background_update_controller: {
    on_update: BackgroundUpdateContext | undefined;
    default_batch_size: number | undefined;
    min_batch_size: number | undefined;
  };
  account_data: { on_account_data_updated: void };
  add_extra_fields_to_unsigned: { add_field_to_unsigned: JsonDict };
  media_repository: {
    get_media_config_for_user: JsonDict | null;
    is_user_allowed_to_upload_media_of_size: boolean;
    get_media_upload_limits_for_user: readonly JsonDict[] | null;
    on_media_upload_limit_exceeded: void;
  };
  ratelimit: { get_ratelimit_override_for_user: RatelimitOverride | null };
}

/** The arguments `run` passes for a Synapse callback (the host side of the signature). */
export type SynapseRunArgs<
  C extends keyof SynapseRunResults,
  N extends keyof SynapseRunResults[C],
> = C extends 'password_auth_provider'
  ? N extends 'check_auth'
    ? [username: string, loginType: string, loginDict: Record<string, unknown>]
    : N extends keyof SynapseCallbackSignatures[C]
      ? SynapseCallbackSignatures[C][N] extends (...args: infer A) => unknown
        ? A
        : never
      : never
  : N extends keyof SynapseCallbackSignatures[C]
    ? SynapseCallbackSignatures[C][N] extends (...args: infer A) => unknown
      ? A
      : never
    : never;

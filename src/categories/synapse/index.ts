/** The built-in Synapse category pack (reference §4), enabled by default in every host. */
import type { CategoryDefinition } from '../types.js';
import { accountData } from './account-data.js';
import { accountValidity } from './account-validity.js';
import { addExtraFieldsToUnsigned } from './add-extra-fields-to-unsigned.js';
import { backgroundUpdateController } from './background-update-controller.js';
import { mediaRepository } from './media-repository.js';
import { passwordAuthProvider } from './password-auth-provider.js';
import { presenceRouter } from './presence-router.js';
import { ratelimit } from './ratelimit.js';
import { spamChecker } from './spam-checker.js';
import { thirdPartyRules } from './third-party-rules.js';

export const synapseCategories: readonly CategoryDefinition[] = Object.freeze([
  spamChecker,
  thirdPartyRules,
  accountValidity,
  passwordAuthProvider,
  presenceRouter,
  backgroundUpdateController,
  accountData,
  addExtraFieldsToUnsigned,
  mediaRepository,
  ratelimit,
]);

export {
  accountData,
  accountValidity,
  addExtraFieldsToUnsigned,
  backgroundUpdateController,
  mediaRepository,
  passwordAuthProvider,
  presenceRouter,
  ratelimit,
  spamChecker,
  thirdPartyRules,
};
export {
  NOT_SPAM,
  Codes,
  isCode,
  RegistrationBehaviour,
  PRESENCE_ALL_USERS,
  type NotSpam,
  type Code,
  type PresenceAllUsers,
  type SpamDecision,
  type SpamRejection,
} from './constants.js';
export { supportedLoginTypes } from './password-auth-provider.js';
export type {
  AuthChecker,
  AuthCheckerRegistration,
  AuthCheckers,
  AuthCheckerData,
  AuthResult,
  PostLoginCallback,
} from './password-auth-provider.js';
export type { BackgroundUpdateContext } from './background-update-controller.js';
export type { EventAllowedResult } from './third-party-rules.js';
export type { RatelimitOverride } from './ratelimit.js';
export { stateKey } from './types.js';
export type { SynapseEvent, StateEvents, RequestInfo, UserProfile, JsonDict } from './types.js';
export type * from './signatures.js';

/**
 * user_restrictions: allow/deny rules on user-ID patterns for creating rooms and inviting, after
 * matrix-org/synapse-user-restrictions. Rules are tried top to bottom; the first whose pattern
 * matches the whole user ID and which lists the permission (in `allow` or `deny`) decides;
 * otherwise `default_deny` does.
 */
import { Callback, Module } from 'modhost/decorators';
import { Codes, ModuleApi, NOT_SPAM } from 'modhost';
import { type Permission, UserRestrictionsConfig } from './user-restrictions.config.js';

interface CompiledRule {
  pattern: RegExp;
  allow: ReadonlySet<Permission>;
  deny: ReadonlySet<Permission>;
}

@Module({ name: 'user_restrictions', config: UserRestrictionsConfig })
export class UserRestrictions {
  private readonly rules: CompiledRule[];
  private readonly defaultDeny: ReadonlySet<Permission>;

  constructor(
    private readonly api: ModuleApi,
    config: UserRestrictionsConfig,
  ) {
    // Anchored once here: a pattern must match the whole user ID, not a part of it.
    this.rules = config.rules.map((r) => ({
      pattern: new RegExp(`^(?:${r.match})$`),
      allow: new Set(r.allow),
      deny: new Set(r.deny),
    }));
    this.defaultDeny = new Set(config.default_deny);
  }

  /** Whether `userId` holds `permission` under the configured rules. */
  isAllowed(userId: string, permission: Permission): boolean {
    for (const rule of this.rules) {
      if (!rule.pattern.test(userId)) continue;
      if (rule.allow.has(permission)) return true;
      if (rule.deny.has(permission)) return false;
    }
    return !this.defaultDeny.has(permission);
  }

  @Callback('spam_checker', 'user_may_create_room')
  async userMayCreateRoom(userId: string) {
    return this.decide(userId, 'create_room');
  }

  @Callback('spam_checker', 'user_may_invite')
  async userMayInvite(inviter: string, invitee: string) {
    const verdict = this.decide(inviter, 'invite');
    return verdict === NOT_SPAM ? this.decide(invitee, 'receive_invites') : verdict;
  }

  private decide(userId: string, permission: Permission) {
    if (this.isAllowed(userId, permission)) return NOT_SPAM;
    this.api.logger.info({ user_id: userId, permission }, 'denied by user_restrictions');
    return Codes.FORBIDDEN;
  }
}

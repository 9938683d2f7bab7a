/** Config of the auto_accept_invite sample (synapse-auto-accept-invite's options). */
import { IsBoolean, IsOptional, IsString } from 'class-validator';

export class AutoAcceptInviteConfig {
  /** Only accept invites to direct-message rooms (`is_direct: true` on the invite). */
  @IsOptional() @IsBoolean() accept_invites_only_for_direct_messages: boolean = false;

  /** Only accept invites sent by users of this server. */
  @IsOptional() @IsBoolean() accept_invites_only_from_local_users: boolean = false;

  /**
   * The one instance that acts (Synapse's `worker_to_run_on`). When absent, the instance that
   * runs background tasks acts. Every other instance ignores invites, so an invite is accepted
   * once however many instances see it.
   */
  @IsOptional() @IsString() instance_to_run_on?: string;
}

/**
 * auto_accept_invite: joins local users to rooms they are invited to, after
 * matrix-org/synapse-auto-accept-invite. It observes `third_party_rules.on_new_event` and acts on
 * one configured instance only, so a deployment of several instances joins once, not once per
 * instance (the bug Synapse's module had before `worker_to_run_on`).
 */
import { Callback, Inject, Module } from 'modhost/decorators';
import { ModuleApi } from 'modhost';
import { AutoAcceptInviteConfig } from './auto-accept-invite.config.js';
import { HOMESERVER_API, type HomeserverApi } from './homeserver-api.js';

/** The parts of an event this module reads. */
interface MemberEvent {
  type: string;
  room_id: string;
  sender: string;
  state_key?: string;
  content: { membership?: string; is_direct?: boolean };
}

/** Retries of a failed join, in ms after the failure (then it gives up and logs). */
const RETRY_DELAYS = [1_000, 5_000, 30_000];

@Module({ name: 'auto_accept_invite', config: AutoAcceptInviteConfig })
export class AutoAcceptInvite {
  /** Joins accepted so far by this instance (exposed for tests and metrics). */
  accepted = 0;

  constructor(
    private readonly api: ModuleApi,
    private readonly config: AutoAcceptInviteConfig,
    @Inject(HOMESERVER_API) private readonly homeserver: HomeserverApi,
  ) {}

  /** Whether this instance is the one that acts. */
  get isActingInstance(): boolean {
    const wanted = this.config.instance_to_run_on;
    return wanted === undefined
      ? this.api.shouldRunBackgroundTasks()
      : wanted === this.api.instanceName;
  }

  @Callback('third_party_rules', 'on_new_event')
  async onNewEvent(event: MemberEvent): Promise<void> {
    if (!this.isActingInstance || !this.shouldAccept(event)) return;
    await this.join(event, 0);
  }

  private shouldAccept(event: MemberEvent): boolean {
    const invitee = event.state_key;
    if (event.type !== 'm.room.member' || event.content.membership !== 'invite') return false;
    if (invitee === undefined || invitee === event.sender) return false;
    if (!this.homeserver.isMine(invitee)) return false;
    if (this.config.accept_invites_only_from_local_users && !this.homeserver.isMine(event.sender))
      return false;
    if (this.config.accept_invites_only_for_direct_messages && event.content.is_direct !== true)
      return false;
    return true;
  }

  /**
   * The first attempt is made at once, so the join is visible when the invite returns; failures
   * are retried later, off the invite's path, with growing delays.
   */
  private async join(event: MemberEvent, attempt: number): Promise<void> {
    const invitee = event.state_key!;
    try {
      await this.homeserver.updateRoomMembership(invitee, invitee, event.room_id, 'join');
      this.accepted += 1;
      this.api.logger.info({ user_id: invitee, room_id: event.room_id }, 'invite accepted');
    } catch (err) {
      const delay = RETRY_DELAYS[attempt];
      if (delay === undefined) {
        this.api.logger.error(
          { err, user_id: invitee, room_id: event.room_id },
          `giving up accepting the invite after ${attempt + 1} attempts`,
        );
        return;
      }
      this.api.logger.warn(
        { err, user_id: invitee, room_id: event.room_id, retry_in_ms: delay },
        'accepting the invite failed; will retry',
      );
      this.api.delayedCall(delay, () => this.join(event, attempt + 1));
    }
  }
}

/**
 * Synapse's event creation path: every event goes through `check_event_for_spam`, then
 * `check_event_allowed` (which may replace its content), is stored, then `on_new_event`
 * observes it.
 */
import { Codes, stateKey } from 'modhost';
import type { ChatState, DemoEvent, DemoRoom } from './chat-state.js';
import type { HostLink } from './host-link.js';
import { matrixError } from './matrix-error.js';
import { spamRejection } from './spam-verdicts.js';

export interface EventDraft {
  type: string;
  state_key?: string;
  content: Record<string, any>;
}

export class Events {
  constructor(
    private readonly state: ChatState,
    private readonly link: HostLink,
  ) {}

  /**
   * Every event goes through check_event_for_spam, then check_event_allowed (which may replace
   * it), is stored, then on_new_event observes it — Synapse's event creation path. The event and
   * the room state go to the callbacks as they are: their argument rules are `frozen`, so the
   * callback registry hands modules a deeply frozen copy and no module can change what is stored.
   */
  async send(sender: string, room: DemoRoom, draft: EventDraft): Promise<string> {
    const cb = this.link.callbacks;
    let event: DemoEvent = {
      event_id: this.state.newEventId(),
      room_id: room.roomId,
      sender,
      type: draft.type,
      ...(draft.state_key !== undefined ? { state_key: draft.state_key } : {}),
      content: draft.content,
      origin_server_ts: this.link.now(),
    };
    if (cb.has('spam_checker', 'check_event_for_spam')) {
      const verdict = await cb.run('spam_checker', 'check_event_for_spam', event);
      const rejected = spamRejection(verdict, 'This message has been rejected as probable spam');
      if (rejected) throw rejected;
    }
    if (cb.has('third_party_rules', 'check_event_allowed')) {
      const [allowed, replacement] = (await cb.run(
        'third_party_rules',
        'check_event_allowed',
        event,
        room.state,
      )) as [boolean, Record<string, any> | null];
      if (!allowed)
        throw matrixError(403, Codes.FORBIDDEN, 'This event is not allowed in this context');
      // A module may rewrite the content; identity fields stay the server's.
      if (replacement) event = { ...event, content: replacement.content ?? event.content };
    }
    if (this.state.users.get(sender)?.shadowBanned) return event.event_id;
    room.timeline.push(event);
    if (event.state_key !== undefined) room.state.set(stateKey(event.type, event.state_key), event);
    if (cb.has('third_party_rules', 'on_new_event'))
      await cb.run('third_party_rules', 'on_new_event', event, room.state);
    return event.event_id;
  }
}

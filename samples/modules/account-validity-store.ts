/**
 * The account_validity sample's state: each user's expiry and renewal token. Kept in memory,
 * per process (synapse-email-account-validity keeps it in a database table, shared by workers).
 */
import { randomBytes } from 'node:crypto';

export interface ValidityRecord {
  userId: string;
  /** ms since the epoch. */
  expirationTs: number;
  /** When the last renewal notice went out, if one did since the last renewal. */
  noticeSentTs?: number;
  renewalToken?: string;
}

export class AccountValidityStore {
  private readonly byUser = new Map<string, ValidityRecord>();
  private readonly byToken = new Map<string, string>();

  get(userId: string): ValidityRecord | undefined {
    return this.byUser.get(userId);
  }

  /** Sets a user's expiry; a new expiry clears the notice flag and the renewal token. */
  setExpiration(userId: string, expirationTs: number): ValidityRecord {
    const old = this.byUser.get(userId);
    if (old?.renewalToken) this.byToken.delete(old.renewalToken);
    const record: ValidityRecord = { userId, expirationTs };
    this.byUser.set(userId, record);
    return record;
  }

  /** A fresh single-use renewal token for the user (the previous one stops working). */
  issueToken(userId: string): string {
    const record = this.byUser.get(userId);
    if (!record) throw new Error(`no validity record for ${userId}`);
    if (record.renewalToken) this.byToken.delete(record.renewalToken);
    const token = randomBytes(24).toString('base64url');
    record.renewalToken = token;
    this.byToken.set(token, userId);
    return token;
  }

  userForToken(token: string): string | undefined {
    return this.byToken.get(token);
  }

  /** Records whose notice is due by `threshold` (expiry at or before it) and not sent yet. */
  dueForNotice(threshold: number): ValidityRecord[] {
    return [...this.byUser.values()].filter(
      (r) => r.noticeSentTs === undefined && r.expirationTs <= threshold,
    );
  }
}

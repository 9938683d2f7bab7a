/**
 * The account_validity sample's state: each user's expiry and renewal token, in the module's
 * own table (as synapse-email-account-validity keeps them in `email_account_validity`), so every
 * instance sharing the database sees one truth and a restart forgets nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Migration, ModuleDatabase } from 'modhost';

export interface ValidityRecord {
  userId: string;
  /** ms since the epoch. */
  expirationTs: number;
  /** When the last renewal notice went out, if one did since the last renewal. */
  noticeSentTs?: number;
  renewalToken?: string;
}

export const VALIDITY_MIGRATIONS: Migration[] = [
  {
    id: '001_validity',
    up: `create table validity (
           user_id text primary key,
           expiration_ts bigint not null,
           notice_sent_ts bigint,
           renewal_token text unique
         );
         create index validity_due on validity (expiration_ts) where notice_sent_ts is null;`,
  },
];

interface Row {
  user_id: string;
  expiration_ts: string;
  notice_sent_ts: string | null;
  renewal_token: string | null;
}

function toRecord(row: Row): ValidityRecord {
  return {
    userId: row.user_id,
    expirationTs: Number(row.expiration_ts),
    ...(row.notice_sent_ts !== null ? { noticeSentTs: Number(row.notice_sent_ts) } : {}),
    ...(row.renewal_token !== null ? { renewalToken: row.renewal_token } : {}),
  };
}

export class AccountValidityStore {
  constructor(private readonly db: ModuleDatabase) {}

  async get(userId: string): Promise<ValidityRecord | undefined> {
    const { rows } = await this.db.query<Row>('select * from validity where user_id = $1', [
      userId,
    ]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Sets a user's expiry; a new expiry clears the notice flag and the renewal token. */
  async setExpiration(userId: string, expirationTs: number): Promise<ValidityRecord> {
    await this.db.query(
      `insert into validity (user_id, expiration_ts) values ($1, $2)
       on conflict (user_id) do update
         set expiration_ts = excluded.expiration_ts, notice_sent_ts = null, renewal_token = null`,
      [userId, expirationTs],
    );
    return { userId, expirationTs };
  }

  /** Starts a period only for a user without one (first login), atomically across instances. */
  async setExpirationIfAbsent(userId: string, expirationTs: number): Promise<void> {
    await this.db.query(
      'insert into validity (user_id, expiration_ts) values ($1, $2) on conflict (user_id) do nothing',
      [userId, expirationTs],
    );
  }

  /** A fresh single-use renewal token for the user (the previous one stops working). */
  async issueToken(userId: string): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    const { rowCount } = await this.db.query(
      'update validity set renewal_token = $2 where user_id = $1',
      [userId, token],
    );
    if (rowCount === 0) throw new Error(`no validity record for ${userId}`);
    return token;
  }

  /**
   * Renews the account holding `token` until `expirationTs` and uses the token up, in one
   * statement: two instances given the same link renew once.
   */
  async renewByToken(token: string, expirationTs: number): Promise<string | undefined> {
    const { rows } = await this.db.query<{ user_id: string }>(
      `update validity set expiration_ts = $2, notice_sent_ts = null, renewal_token = null
       where renewal_token = $1 returning user_id`,
      [token, expirationTs],
    );
    return rows[0]?.user_id;
  }

  async markNoticeSent(userId: string, at: number): Promise<void> {
    await this.db.query('update validity set notice_sent_ts = $2 where user_id = $1', [userId, at]);
  }

  /** Records whose notice is due by `threshold` (expiry at or before it) and not sent yet. */
  async dueForNotice(threshold: number): Promise<ValidityRecord[]> {
    const { rows } = await this.db.query<Row>(
      'select * from validity where notice_sent_ts is null and expiration_ts <= $1 order by user_id',
      [threshold],
    );
    return rows.map(toRecord);
  }
}

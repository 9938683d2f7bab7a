/** Config of the account_validity sample (synapse-email-account-validity's options). */
import { IsBoolean, IsOptional, IsString, MinLength } from 'class-validator';
import { IsDuration } from 'modhost/validators';

export class AccountValidityConfig {
  /** How long an account stays valid after registration or renewal. */
  @IsDuration() period: number | string = '6w';

  /** How long before expiry the renewal notice is sent. */
  @IsOptional() @IsDuration() renew_at: number | string = '1w';

  /** How often the background loop looks for accounts to notify. */
  @IsOptional() @IsDuration() check_interval: number | string = '30m';

  @IsOptional() @IsString() @MinLength(1) renew_email_subject: string = 'Renew your account';

  /** Put a renewal link in notices (otherwise the notice only says when the account expires). */
  @IsOptional() @IsBoolean() send_links: boolean = true;
}

/** Config of the shared_secret_auth sample (matrix-synapse-shared-secret-auth's options). */
import { IsBoolean, IsOptional, IsString, MinLength } from 'class-validator';

export class SharedSecretAuthConfig {
  /** The HMAC key; whoever knows it can log in as any local user. */
  @IsString() @MinLength(16) shared_secret!: string;

  /** Accept the token as the password of `m.login.password` logins too. */
  @IsOptional() @IsBoolean() m_login_password_support_enabled: boolean = false;

  /** Accept the `com.devture.shared_secret_auth` login type (field `token`). */
  @IsOptional() @IsBoolean() com_devture_shared_secret_auth_support_enabled: boolean = true;
}

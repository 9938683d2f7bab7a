/** Config of the user_restrictions sample (synapse-user-restrictions' `rules` and `default_deny`). */
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString, ValidateNested } from 'class-validator';
import { IsRegExp } from 'modhost/validators';

/** What a rule can allow or deny. */
export const PERMISSIONS = ['invite', 'create_room', 'receive_invites'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export class RestrictionRule {
  /** A regular expression that must match the whole user ID. */
  @IsString() @IsRegExp() match!: string;

  @IsOptional() @IsArray() @IsIn(PERMISSIONS, { each: true }) allow: Permission[] = [];

  @IsOptional() @IsArray() @IsIn(PERMISSIONS, { each: true }) deny: Permission[] = [];
}

export class UserRestrictionsConfig {
  /** Earlier rules win: the first rule that matches the user and names the permission decides. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RestrictionRule)
  rules: RestrictionRule[] = [];

  /** Permissions denied when no rule decides; every other permission is allowed. */
  @IsOptional() @IsArray() @IsIn(PERMISSIONS, { each: true }) default_deny: Permission[] = [];
}

/** Config of the department sample: where the directory lives and who may invalidate. */
import { IsOptional, IsString, MinLength } from 'class-validator';
import { IsHttpUrl } from 'modhost/validators';

export class DepartmentConfig {
  /** The directory service: `GET <directory_url>?user_id=...` answers `{"department": "..."}`. */
  @IsHttpUrl() directory_url!: string;

  /**
   * The bearer token the invalidation resource requires. Without it, the resource refuses every
   * request (nobody can flush the cache by accident).
   */
  @IsOptional() @IsString() @MinLength(16) invalidation_secret?: string;
}

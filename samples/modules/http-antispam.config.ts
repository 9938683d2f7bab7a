/** Config of the http_antispam sample (synapse-http-antispam's options). */
import { IsArray, IsIn, IsObject, IsOptional, IsString, ValidateBy } from 'class-validator';
import { IsDuration, IsHttpUrl } from 'modhost/validators';
import { FORWARDED_CALLBACKS } from './http-antispam.callbacks.js';

const NAMES = Object.keys(FORWARDED_CALLBACKS);

/** A mapping from forwarded callback names to booleans. */
function IsCallbackFlags(): PropertyDecorator {
  return ValidateBy({
    name: 'isCallbackFlags',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        Object.entries(value).every(([k, v]) => NAMES.includes(k) && typeof v === 'boolean'),
      defaultMessage: (args) =>
        `${args?.property} must map callback names (${NAMES.join(', ')}) to true or false, got ${JSON.stringify(args?.value)}`,
    },
  });
}

export class HttpAntispamConfig {
  /** The service; each callback is POSTed to `<base_url>/<callback name>`. */
  @IsHttpUrl() base_url!: string;

  /** Sent as `Authorization: Bearer <authorization>` (the shared secret). */
  @IsOptional() @IsString() authorization?: string;

  /** Which callbacks to forward; all of them when absent. */
  @IsOptional() @IsArray() @IsIn(NAMES, { each: true }) enabled_callbacks?: string[];

  /**
   * Per callback: when the service cannot be reached or answers something that is not JSON,
   * allow (true) instead of rejecting with M_UNKNOWN (false, the default: fail closed).
   */
  @IsOptional() @IsObject() @IsCallbackFlags() fail_open: Record<string, boolean> = {};

  /**
   * Per callback: do not wait for the service; allow at once and send the request in the
   * background (for services that only watch).
   */
  @IsOptional() @IsObject() @IsCallbackFlags() async: Record<string, boolean> = {};

  /** How long one request to the service may take before it counts as unreachable. */
  @IsOptional() @IsDuration() timeout: number | string = '10s';
}

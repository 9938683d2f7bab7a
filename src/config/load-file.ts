/**
 * A configuration file → a validated HostConfig, or every problem found in it, located.
 */
import { resolve } from 'node:path';
import { type ConfigProblem, ErrorCode, renderPath } from '../errors/index.js';
import { unreadableFileMessage } from '../errors/config-messages.js';
import { validateHostConfig } from './host-schema.js';
import {
  controlCharacterProblems,
  decodeConfigText,
  fileTooLargeProblem,
  MAX_CONFIG_FILE_BYTES,
  readBounded,
} from './input-limits.js';
import type { HostConfig, Locator, ModuleEntry } from './types.js';
import { parseYamlSource } from './yaml-source.js';

export interface ConfigFileResult {
  config?: HostConfig;
  problems: ConfigProblem[];
  /** When the file is invalid: its module entries that are valid themselves (to check them too). */
  modules?: ModuleEntry[];
  locate: Locator;
  /** The code for a ConfigValidationError built from `problems`: unreadable file or invalid. */
  code?: ErrorCode;
}

export async function readConfigFile(path: string): Promise<ConfigFileResult> {
  const noPosition: Locator = () => undefined;
  let bytes: Buffer | undefined;
  try {
    bytes = await readBounded(path, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    const reason = describeFsError(error);
    return {
      problems: [{ file: path, path: renderPath([]), message: unreadableFileMessage(reason) }],
      locate: noPosition,
      code: ErrorCode.CONFIG_FILE_UNREADABLE,
    };
  }
  if (bytes === undefined) {
    const problems = [fileTooLargeProblem(path, MAX_CONFIG_FILE_BYTES)];
    return { problems, locate: noPosition, code: ErrorCode.CONFIG_INVALID };
  }
  const decoded = decodeConfigText(bytes, path);
  if (decoded.text === undefined)
    return { problems: decoded.problems, locate: noPosition, code: ErrorCode.CONFIG_INVALID };
  const { value, locate, problems } = parseYamlSource(decoded.text, path);
  problems.push(...controlCharacterProblems(value, path, locate));
  // Validating a value that failed to parse would only add confusing follow-on problems.
  if (problems.length > 0) return { problems, locate, code: ErrorCode.CONFIG_INVALID };
  const result = validateHostConfig(value, { file: path, locate });
  if (!result.config) return { ...result, locate, code: ErrorCode.CONFIG_INVALID };
  result.config.file = resolve(path);
  return { ...result, locate };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

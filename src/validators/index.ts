/**
 * modhost/validators: class-validator rules for the config types modules use, each with a
 * message in the style of the config errors (the path and what was found are added by the host).
 */
import '../deps/reflect-metadata.js';

export { IsDuration, IsSize, type RangeOptions } from './units.js';
export { IsHttpUrl, IsRegExp } from './strings.js';
export {
  IsMatrixUserId,
  IsMatrixRoomId,
  IsMatrixRoomAlias,
  IsServerName,
  isServerName,
} from './matrix.js';

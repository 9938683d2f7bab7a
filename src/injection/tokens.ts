/** Injection tokens for what cannot be injected by its type. */

/** The module's parsed config when it has no config class (or the raw mapping as parsed). */
export const MODULE_CONFIG: unique symbol = Symbol.for('modhost:MODULE_CONFIG');
/** The module's pino logger (also at `api.logger`). */
export const MODULE_LOGGER: unique symbol = Symbol.for('modhost:MODULE_LOGGER');
/** The host's clock (fakeable in tests). */
export const CLOCK: unique symbol = Symbol.for('modhost:CLOCK');

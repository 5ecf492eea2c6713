import { debuglog, format } from 'node:util'

/** Where a package writes what it does. Libraries never write to the console themselves. */
export interface Logger {
  /** Detail for someone debugging this package. */
  debug(message: string, ...args: unknown[]): void
  /** Something an operator may want to know. */
  info(message: string, ...args: unknown[]): void
  /** Something went wrong and was handled. */
  warn(message: string, ...args: unknown[]): void
  /** Something went wrong and was not handled. */
  error(message: string, ...args: unknown[]): void
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}

/**
 * The default logger of package `name`: `util.debuglog('shoal:<name>')`, silent unless the
 * process runs with `NODE_DEBUG=shoal:<name>` (or `NODE_DEBUG=shoal:*`). Levels are prefixes.
 */
export function createLogger(name: string): Logger {
  const log = debuglog(`shoal:${name}`)
  const at =
    (level: string) =>
    (message: string, ...args: unknown[]): void => {
      if (log.enabled) log('%s %s', level, format(message, ...args))
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

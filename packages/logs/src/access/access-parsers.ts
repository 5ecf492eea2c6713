import { invalidArgument } from '@shoal/core'
import { type AccessParser, type AccessParserOptions, CompiledAccessParser } from './access-parser.js'
import { compileApacheFormat } from './compile-apache.js'
import { compileNginxFormat } from './compile-nginx.js'
import { ACCESS_PRESETS } from './presets.js'
import { planScan, type ScanPlan } from './scan-plan.js'
import type { EscapeMode } from './unescape.js'

const plans = new Map<string, ScanPlan>()
const MAX_PLANS = 256

function cachedPlan(syntax: 'apache' | 'nginx', format: string): ScanPlan {
  const key = `${syntax}\u0000${format}`
  let plan = plans.get(key)
  if (plan === undefined) {
    plan = planScan(format, syntax === 'apache' ? compileApacheFormat(format) : compileNginxFormat(format))
    if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as string)
    plans.set(key, plan)
  }
  return plan
}

function resolve(syntax: 'apache' | 'nginx', formatOrPreset: string): { name: string; format: string } {
  if (typeof formatOrPreset !== 'string' || formatOrPreset.length === 0)
    throw invalidArgument('the format must be a non-empty string')
  const preset = ACCESS_PRESETS[formatOrPreset]
  if (preset === undefined) return { name: formatOrPreset, format: formatOrPreset }
  if (preset.syntax !== syntax)
    throw invalidArgument(`preset ${formatOrPreset} is an ${preset.syntax} format`)
  return { name: formatOrPreset, format: preset.format }
}

/**
 * A parser for an Apache `LogFormat` string or preset name (`common`, `combined`, `combinedio`,
 * `vhost_combined`, each also with `_d`). Compiled formats are cached; a bad format string throws
 * `ERR_INVALID_FORMAT` with the position of the problem.
 *
 * @example
 * ```ts
 * const parser = apacheParser('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D')
 * const result = parser.parseLine('::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2326 "-" "curl/8.5" 1043')
 * if (result.ok) record(result.record.status, result.record.duration)
 * ```
 */
export function apacheParser(formatOrPreset: string, options: AccessParserOptions = {}): AccessParser {
  const { name, format } = resolve('apache', formatOrPreset)
  return new CompiledAccessParser(name, cachedPlan('apache', format), 'apache', options)
}

/** Options of {@link nginxParser}. */
export interface NginxParserOptions extends AccessParserOptions {
  /** The `escape=` parameter of the `log_format` (default `default`). */
  readonly escape?: 'default' | 'json' | 'none' | undefined
}

const NGINX_ESCAPES: Readonly<Record<string, EscapeMode>> = { default: 'apache', json: 'json', none: 'none' }

/**
 * A parser for an nginx `log_format` string or preset name (`nginx_combined`, `nginx_main`, each
 * also with `_d`), with the format's `escape=` mode.
 */
export function nginxParser(formatOrPreset: string, options: NginxParserOptions = {}): AccessParser {
  const { name, format } = resolve('nginx', formatOrPreset)
  const escapeMode = NGINX_ESCAPES[options.escape ?? 'default']
  if (escapeMode === undefined)
    throw invalidArgument(`escape must be 'default', 'json' or 'none', got ${String(options.escape)}`)
  return new CompiledAccessParser(name, cachedPlan('nginx', format), escapeMode, options)
}

/**
 * A parser for any access-log preset name, or a format string: one holding `$` variables and no
 * `%` directives is read as nginx, anything else as Apache.
 */
export function accessParser(formatOrPreset: string, options: NginxParserOptions = {}): AccessParser {
  const preset = ACCESS_PRESETS[formatOrPreset]
  const syntax =
    preset?.syntax ??
    (/\$[A-Za-z_{]/.test(formatOrPreset) && !/%[^%]/.test(formatOrPreset.replaceAll('%%', ''))
      ? 'nginx'
      : 'apache')
  return syntax === 'nginx' ? nginxParser(formatOrPreset, options) : apacheParser(formatOrPreset, options)
}

import { readFile } from 'node:fs/promises'
import type { ConfigIssue } from './config-types.js'
import { jsonErrorOffset, jsonPathLines } from './json-lines.js'
import { type ValidateConfigOptions, type ValidateConfigResult, validateConfig } from './validate-config.js'

/**
 * Parses configuration text (JSON) and validates it; issues carry the file and line. A JSON
 * syntax error is one issue at the line where parsing stopped.
 *
 * @example
 * ```ts
 * const result = parseConfig('{ "zones": [{ "origin": "example.com", "file": "z" }] }', { file: 'dns.json' })
 * ```
 */
export function parseConfig(text: string, options: ValidateConfigOptions = {}): ValidateConfigResult {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const offset = jsonErrorOffset(text)
    const line = offset < 0 ? undefined : text.slice(0, offset).split('\n').length
    return {
      ok: false,
      config: undefined,
      issues: [{ path: '$', message: `not valid JSON: ${message}`, file: options.file, line }],
    }
  }
  const result = validateConfig(data, options)
  if (result.ok) return result
  const lines = jsonPathLines(text)
  return {
    ok: false,
    config: undefined,
    issues: result.issues.map((issue) => withLine(issue, lines, options.file)),
  }
}

/**
 * Reads, parses and validates a configuration file.
 *
 * @example
 * ```ts
 * const result = await loadConfig('/etc/shoal-dns.json')
 * ```
 */
export async function loadConfig(
  file: string,
  options: Omit<ValidateConfigOptions, 'file'> = {},
): Promise<ValidateConfigResult> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    return {
      ok: false,
      config: undefined,
      issues: [{ path: '$', message: `cannot read the configuration: ${(error as Error).message}`, file }],
    }
  }
  return parseConfig(text, { ...options, file })
}

function withLine(issue: ConfigIssue, lines: Map<string, number>, file: string | undefined): ConfigIssue {
  if (issue.line !== undefined || (issue.file !== undefined && issue.file !== file)) return issue
  // the value itself, or the nearest enclosing value that exists (a missing key's object)
  for (let path = issue.path; path !== ''; path = parent(path)) {
    const line = lines.get(path)
    if (line !== undefined) return { ...issue, line }
  }
  return issue
}

function parent(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))
  return cut <= 0 ? '' : path.slice(0, cut)
}

/**
 * Formats an issue as `file:line: path: message`, the form `shoal-dns check` prints.
 *
 * @example
 * ```ts
 * formatIssue({ path: '$.tcp.maxConnections', message: 'must be an integer from 1 to 65535, got 0', file: 'dns.json', line: 7 })
 * // 'dns.json:7: $.tcp.maxConnections: must be an integer from 1 to 65535, got 0'
 * ```
 */
export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.file === undefined ? '' : `${issue.file}${issue.line === undefined ? '' : `:${issue.line}`}: `
  return `${where}${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`
}

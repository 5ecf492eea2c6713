import { StrftimeParser } from '../time/strftime.js'
import { camelName, type FieldSpec, fieldSpec } from './field-spec.js'
import { formatError } from './format-error.js'

/** Well-known request headers get short names; others are camelCased. */
const HEADER_NAMES: Readonly<Record<string, string>> = { referer: 'referer', 'user-agent': 'userAgent' }

const TIME_UNITS: Readonly<Record<string, number>> = { s: 1_000_000, ms: 1_000, us: 1 }

const EPOCH_TIMES: Readonly<Record<string, FieldSpec['kind']>> = {
  sec: 'epoch',
  msec: 'epoch',
  usec: 'epoch',
  msec_frac: 'time-fraction',
  usec_frac: 'time-fraction',
}
const EPOCH_SCALES: Readonly<Record<string, number>> = {
  sec: 1000,
  msec: 1,
  usec: 0.001,
  msec_frac: 1,
  usec_frac: 0.001,
}

/**
 * The field of one Apache `mod_log_config` directive (2.4 documentation): `letter` with its
 * `{argument}` (empty when none), as `written` in the format, and whether `<` asked for the
 * original request.
 */
export function apacheDirective(
  format: string,
  position: number,
  written: string,
  letter: string,
  argument: string,
  original: boolean,
): FieldSpec {
  switch (letter) {
    case 'h':
      return fieldSpec(argument === 'c' ? 'peerHost' : 'remoteHost', 'string', written)
    case 'a':
      return fieldSpec(argument === 'c' ? 'peerIp' : 'clientIp', 'string', written)
    case 'A':
      return fieldSpec('localIp', 'string', written)
    case 'l':
      return fieldSpec('remoteLogname', 'string', written)
    case 'u':
      return fieldSpec('remoteUser', 'string', written)
    case 't':
      return timeDirective(format, position, argument, written)
    case 'r':
      return fieldSpec('request', 'request', written)
    case 'm':
      return fieldSpec('method', 'string', written)
    case 'U':
      return fieldSpec('path', 'string', written)
    case 'q':
      return fieldSpec('query', 'string', written)
    case 'H':
      return fieldSpec('protocol', 'string', written)
    case 's':
      return fieldSpec(original ? 'originalStatus' : 'status', 'int', written)
    case 'b':
      return fieldSpec('bytes', 'bytes', written)
    case 'B':
      return fieldSpec('bytes', 'int', written)
    case 'I':
      return fieldSpec('bytesReceived', 'int', written)
    case 'O':
      return fieldSpec('bytesSent', 'int', written)
    case 'S':
      return fieldSpec('bytesTransferred', 'int', written)
    case 'D':
      return fieldSpec('duration', 'duration', written)
    case 'T': {
      const scale = TIME_UNITS[argument === '' ? 's' : argument]
      if (scale === undefined)
        throw formatError(format, position, `%T takes a unit of s, ms or us, not "${argument}"`)
      return fieldSpec('duration', 'duration', written, { scale })
    }
    case 'k':
      return fieldSpec('keepAliveRequests', 'int', written)
    case 'p': {
      const names: Record<string, string> = {
        '': 'port',
        canonical: 'port',
        local: 'localPort',
        remote: 'remotePort',
      }
      const name = names[argument]
      if (name === undefined)
        throw formatError(format, position, `%p takes canonical, local or remote, not "${argument}"`)
      return fieldSpec(name, 'int', written)
    }
    case 'P':
      if (argument === '' || argument === 'pid') return fieldSpec('pid', 'int', written)
      if (argument === 'tid') return fieldSpec('tid', 'int', written)
      if (argument === 'hextid') return fieldSpec('tid', 'hex-int', written)
      throw formatError(format, position, `%P takes pid, tid or hextid, not "${argument}"`)
    case 'v':
      return fieldSpec('virtualHost', 'string', written)
    case 'V':
      return fieldSpec('serverName', 'string', written)
    case 'L':
      return fieldSpec('logId', 'string', written)
    case 'R':
      return fieldSpec('handler', 'string', written)
    case 'X':
      return fieldSpec('connectionStatus', 'string', written)
    case 'f':
      return fieldSpec('filename', 'string', written)
    case 'i':
      return fieldSpec(
        HEADER_NAMES[requireArgument(format, position, letter, argument).toLowerCase()] ??
          camelName(argument),
        'string',
        written,
      )
    case 'o':
      return fieldSpec(
        camelName(requireArgument(format, position, letter, argument), 'response'),
        'string',
        written,
      )
    case 'e':
      return fieldSpec(
        camelName(requireArgument(format, position, letter, argument), 'env'),
        'string',
        written,
      )
    case 'n':
      return fieldSpec(
        camelName(requireArgument(format, position, letter, argument), 'note'),
        'string',
        written,
      )
    case 'C':
      return fieldSpec(
        camelName(requireArgument(format, position, letter, argument), 'cookie'),
        'string',
        written,
      )
    case '^FB':
      return fieldSpec('timeToFirstByte', 'duration', written)
    case '^ti':
      return fieldSpec(
        camelName(requireArgument(format, position, letter, argument), 'requestTrailer'),
        'string',
        written,
      )
    case '^to':
      return fieldSpec(
        camelName(requireArgument(format, position, letter, argument), 'responseTrailer'),
        'string',
        written,
      )
    default:
      throw formatError(format, position, `unknown directive %${letter}`)
  }
}

function requireArgument(format: string, position: number, letter: string, argument: string): string {
  if (argument === '')
    throw formatError(format, position, `%${letter} needs a name in braces, e.g. %{User-Agent}${letter}`)
  return argument
}

function timeDirective(format: string, position: number, argument: string, written: string): FieldSpec {
  const layout = argument.replace(/^(begin|end):/, '')
  if (layout === '') return fieldSpec('time', 'clf-time', written, { bracketed: true })
  const epochKind = EPOCH_TIMES[layout]
  if (epochKind !== undefined) {
    return fieldSpec(epochKind === 'epoch' ? 'time' : 'timeFraction', epochKind, written, {
      scale: EPOCH_SCALES[layout] ?? 1,
    })
  }
  try {
    new StrftimeParser(layout)
  } catch (err) {
    throw formatError(format, position, (err as Error).message)
  }
  return fieldSpec('time', 'strftime', written, { pattern: layout })
}

// V8 copies substrings shorter than 13 characters; longer ones may share (and so keep alive) the
// string they were cut from, such as a multi-megabyte chunk of a log file
const SHARED_SUBSTRING_MIN_LENGTH = 13

/**
 * A copy of `text` that owns its characters, for keys that long-lived tables keep. Concatenating
 * makes V8 flatten into a new string, which the slice then points into, so the original and
 * whatever it was cut from can be collected. A `Buffer` round trip does the same at about three
 * times the cost; a test checks that tables do not retain the chunks their keys came from.
 */
export function ownedCopy(text: string): string {
  return text.length < SHARED_SUBSTRING_MIN_LENGTH ? text : ` ${text}`.slice(1)
}

/** String methods of ES2024 that Node 20 has but the ES2023 typings lack. */
interface WellFormedText {
  isWellFormed(): boolean
  toWellFormed(): string
}

/**
 * The key a table keeps for `text`: an owned copy, with any lone surrogate replaced by U+FFFD
 * so that the key survives a UTF-8 image unchanged.
 */
export function ownedKey(text: string): string {
  const copy = ownedCopy(text)
  return (copy as unknown as WellFormedText).isWellFormed() ? copy : wellFormed(copy)
}

/** `text` with every lone surrogate replaced by U+FFFD (what UTF-8 encoding does). */
export function wellFormed(text: string): string {
  return (text as unknown as WellFormedText).toWellFormed()
}

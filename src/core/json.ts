/** Small JSON helpers shared by codecs. */

/** Any JSON object. */
export type JsonObject = Record<string, unknown>

/** True for a plain (non-array) object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses tool-call arguments text into an object; `''` is `{}`; undefined when it is not a JSON object. */
export function parseArguments(text: string): JsonObject | undefined {
  if (text.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** Copies the fields of `source` not listed in `known`; undefined when none are left. */
export function pickUnknown(source: JsonObject, known: ReadonlySet<string>): JsonObject | undefined {
  let rest: JsonObject | undefined
  for (const key in source) {
    if (known.has(key) || source[key] === undefined) continue
    rest ??= {}
    rest[key] = source[key]
  }
  return rest
}

/** Deletes undefined-valued keys (so encoded bodies stay tidy and `toEqual` comparisons are exact). */
export function compact<T extends JsonObject>(value: T): T {
  for (const key in value) if (value[key] === undefined) delete value[key]
  return value
}

/** The index of the quote closing the JSON string whose contents start at `from`; -1 if it never closes. */
export function jsonStringEnd(text: string, from: number): number {
  let close = text.indexOf('"', from)
  while (close > from && text.charCodeAt(close - 1) === 92) {
    // Escaped only if an odd number of backslashes precede it.
    let slashes = 1
    while (close - 1 - slashes >= from && text.charCodeAt(close - 1 - slashes) === 92) slashes++
    if (slashes % 2 === 0) break
    close = text.indexOf('"', close + 1)
  }
  return close
}

/** JSON whitespace: space, tab, line feed, carriage return (as character codes). */
export const isJsonSpace = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13

/**
 * Sets the top-level `"model"` of a JSON object text without re-serialising the rest, when that is certain:
 * the text spells `"model"` exactly once (no escaped letters that could spell it otherwise) and its value
 * is the string `current`. Undefined when it is not certain; the caller serialises the object then.
 */
export function replaceModelInText(text: string, current: string, next: string): string | undefined {
  const key = '"model"'
  const at = text.indexOf(key)
  if (at === -1 || text.indexOf(key, at + key.length) !== -1 || text.includes('\\u006')) return undefined
  let cursor = at + key.length
  while (isJsonSpace(text.charCodeAt(cursor))) cursor++
  if (text.charCodeAt(cursor) !== 58) return undefined
  cursor++
  while (isJsonSpace(text.charCodeAt(cursor))) cursor++
  if (text.charCodeAt(cursor) !== 34) return undefined
  const close = jsonStringEnd(text, cursor + 1)
  if (close === -1) return undefined
  try {
    if (JSON.parse(text.slice(cursor, close + 1)) !== current) return undefined
  } catch {
    return undefined
  }
  return text.slice(0, cursor) + JSON.stringify(next) + text.slice(close + 1)
}

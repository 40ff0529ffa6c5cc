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

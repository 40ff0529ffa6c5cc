/**
 * Streamed events mostly repeat the previous event but for one string, their piece of text. A decoder
 * that parsed such an event keeps it as a template, split around that string; a later event that is the
 * same text but for the string (and, where a format has one, a padding member nothing reads) decodes to
 * the same events with the new piece, so it is read without JSON.parse.
 * @module
 */
import { jsonStringEnd } from './json'

/** A parsed event's text split around its one piece. */
export interface PieceTemplate {
  /** Everything up to and including the piece's opening quote. */
  prefix: string
  /** Everything from the piece's closing quote, up to the padding member when there is one. */
  suffix: string
  /** `,"<padding key>":"` when the event ended with a padding member, else undefined. */
  padding?: string
}

// A raw control character makes a JSON string invalid: such an event goes to JSON.parse, which rejects it.
const CONTROL_CHARACTER = /[\u0000-\u001f]/

/** True when `data` ends, from `at`, with `<padding>"<plain characters>"}` (`padding` = `,"key":"`). */
function isPaddingTail(data: string, at: number, padding: string): boolean {
  if (!data.startsWith(padding, at) || !data.endsWith('"}')) return false
  const value = at + padding.length
  if (data.indexOf('"', value) !== data.length - 2 || data.indexOf('\\', value) !== -1) return false
  for (let index = value; index < data.length - 2; index++) if (data.charCodeAt(index) < 0x20) return false
  return true
}

/**
 * The template of an event that was parsed and found to carry only `piece` under `key`, when the piece's place
 * is certain: `"<key>"` is spelt once in the whole text (a quote inside a JSON string is escaped, so that is
 * the member the decoder read). `paddingKey` names a last member whose value changes from event to event.
 */
export function learnPieceTemplate(data: string, key: string, piece: string, paddingKey?: string): PieceTemplate | undefined {
  const name = `"${key}"`
  const at = data.indexOf(name)
  if (at === -1 || data.indexOf(name, at + 1) !== -1 || !data.startsWith(':"', at + name.length)) return undefined
  const from = at + name.length + 2
  const close = jsonStringEnd(data, from)
  if (close === -1 || JSON.parse(data.slice(from - 1, close + 1)) !== piece) return undefined
  const padding = paddingKey === undefined ? undefined : `,"${paddingKey}":"`
  const paddingAt = padding === undefined ? -1 : data.lastIndexOf(padding)
  const padded = padding !== undefined && paddingAt > close && isPaddingTail(data, paddingAt, padding)
  return { prefix: data.slice(0, from), suffix: data.slice(close, padded ? paddingAt : data.length), padding: padded ? padding : undefined }
}

/** The piece of an event that matches the template; undefined when it does not, or when the piece is empty or invalid. */
export function matchPieceTemplate(template: PieceTemplate, data: string): string | undefined {
  const { prefix, suffix, padding } = template
  if (!data.startsWith(prefix)) return undefined
  const close = jsonStringEnd(data, prefix.length)
  if (close <= prefix.length || !data.startsWith(suffix, close)) return undefined
  const tail = close + suffix.length
  if (padding === undefined ? tail !== data.length : !isPaddingTail(data, tail, padding)) return undefined
  const raw = data.slice(prefix.length, close)
  if (CONTROL_CHARACTER.test(raw)) return undefined
  if (!raw.includes('\\')) return raw
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    return undefined // a bad escape: the full parse reports the event as invalid
  }
}

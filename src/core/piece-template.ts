/**
 * Streamed events mostly repeat the previous event but for one string, their piece of text. A decoder
 * that parsed such an event keeps it as a template, split around that string; a later event that is the
 * same text but for the string (and, where a format has them, a padding string and a sequence counter that
 * nothing reads) decodes to the same events with the new piece, so it is read without JSON.parse.
 * @module
 */
import { jsonStringEnd } from './json'

/** What varies between matching events: the piece, a padding string's characters, a counter's digits. */
type Slot = 'piece' | 'padding' | 'counter'

/** A parsed event's text as fixed runs around its slots: `literals[i]` comes before `slots[i]`, the last one ends it. */
export interface PieceTemplate {
  literals: string[]
  slots: Slot[]
}

/** Members a format changes in every event but that nothing reads. */
export interface IgnoredMembers {
  /** A string member of random characters (OpenAI's `obfuscation`). */
  padding?: string
  /** A whole-number member (the Responses API's `sequence_number`). */
  counter?: string
}

/** The index just past the digits that start at `from` (`from` itself when there are none). */
function digitsEnd(data: string, from: number): number {
  let index = from
  while (index < data.length && data.charCodeAt(index) >= 48 && data.charCodeAt(index) <= 57) index++
  return index
}

/** The end of a padding string's characters from `from` (its closing quote); -1 unless they are plain. */
function paddingEnd(data: string, from: number): number {
  const close = data.indexOf('"', from)
  if (close === -1) return -1
  for (let index = from; index < close; index++) {
    const code = data.charCodeAt(index)
    if (code < 0x20 || code === 92) return -1
  }
  return close
}

/** Where `"<key>":<opening>` is spelt, once in the whole text; the index after it, or -1. */
function memberValue(data: string, key: string, opening: string): number {
  const name = `"${key}":${opening}`
  const at = data.indexOf(name)
  // A quote inside a JSON string is escaped, so a name spelt once is the member the decoder read.
  if (at === -1 || data.indexOf(`"${key}"`, at + 1) !== -1 || data.indexOf(`"${key}"`) !== at) return -1
  return at + name.length
}

/**
 * The template of an event that was parsed and found to carry only `piece` under `key`, when every varying
 * place is certain; undefined otherwise (the event is then simply parsed each time).
 */
export function learnPieceTemplate(data: string, key: string, piece: string, ignored: IgnoredMembers = {}): PieceTemplate | undefined {
  const from = memberValue(data, key, '"')
  if (from === -1) return undefined
  const close = jsonStringEnd(data, from)
  if (close === -1 || JSON.parse(data.slice(from - 1, close + 1)) !== piece) return undefined
  const spans: { slot: Slot; start: number; end: number }[] = [{ slot: 'piece', start: from, end: close }]
  if (ignored.padding !== undefined) {
    const start = memberValue(data, ignored.padding, '"')
    const end = start === -1 ? -1 : paddingEnd(data, start)
    if (end !== -1) spans.push({ slot: 'padding', start, end })
  }
  if (ignored.counter !== undefined) {
    const start = memberValue(data, ignored.counter, '')
    const end = start === -1 ? -1 : digitsEnd(data, start)
    if (end > start && (data[end] === ',' || data[end] === '}')) spans.push({ slot: 'counter', start, end })
  }
  spans.sort((a, b) => a.start - b.start)
  const literals: string[] = []
  let at = 0
  for (const span of spans) {
    literals.push(data.slice(at, span.start))
    at = span.end
  }
  literals.push(data.slice(at))
  return { literals, slots: spans.map((span) => span.slot) }
}

/**
 * The piece of an event that matches the template; undefined when it does not, or when the piece is empty or invalid.
 * The event is `data`, or its part from `start` to `end` (read in place: no copy of it is made).
 */
export function matchPieceTemplate(template: PieceTemplate, data: string, start = 0, end = data.length): string | undefined {
  const { literals, slots } = template
  let at = start
  let raw: string | undefined
  let escaped = false
  for (let index = 0; index < slots.length; index++) {
    const literal = literals[index]
    if (!data.startsWith(literal, at)) return undefined
    at += literal.length
    const slot = slots[index]
    let slotEnd: number
    if (slot === 'piece') {
      slotEnd = jsonStringEnd(data, at)
      if (slotEnd <= at || slotEnd >= end) return undefined
      // Read in place (a loop over the slice costs twice as much): a raw control character makes the string
      // invalid, and such an event goes to JSON.parse, which rejects it.
      for (let position = at; position < slotEnd; position++) {
        const code = data.charCodeAt(position)
        if (code < 0x20) return undefined
        if (code === 92) escaped = true
      }
      raw = data.slice(at, slotEnd)
    } else if (slot === 'padding') slotEnd = paddingEnd(data, at)
    else {
      slotEnd = digitsEnd(data, at)
      if (slotEnd === at) return undefined
    }
    if (slotEnd === -1 || slotEnd > end) return undefined
    at = slotEnd
  }
  const last = literals[slots.length]
  if (raw === undefined || at + last.length !== end || !data.startsWith(last, at)) return undefined
  if (!escaped) return raw
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    return undefined // a bad escape: the full parse reports the event as invalid
  }
}

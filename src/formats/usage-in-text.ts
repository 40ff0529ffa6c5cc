import { isJsonSpace, jsonStringEnd } from '../core/json'
import type { FormatId } from './types'

/**
 * The JSON object that starts at `start` (a `{`), found by matching braces outside strings; undefined if cut
 * off. Jumps from one quote or brace to the next natively, each position searched for once.
 */
function objectAt(text: string, start: number): string | undefined {
  let depth = 0
  let nextQuote = text.indexOf('"', start)
  let nextOpen = text.indexOf('{', start)
  let nextClose = text.indexOf('}', start)
  for (;;) {
    if (nextClose === -1) return undefined
    if (nextQuote !== -1 && nextQuote < nextClose && (nextOpen === -1 || nextQuote < nextOpen)) {
      const end = jsonStringEnd(text, nextQuote + 1)
      if (end === -1) return undefined
      nextQuote = text.indexOf('"', end + 1)
      if (nextOpen !== -1 && nextOpen < end) nextOpen = text.indexOf('{', end + 1)
      if (nextClose < end) nextClose = text.indexOf('}', end + 1)
    } else if (nextOpen !== -1 && nextOpen < nextClose) {
      depth++
      nextOpen = text.indexOf('{', nextOpen + 1)
    } else {
      depth--
      if (depth === 0) return text.slice(start, nextClose + 1)
      nextClose = text.indexOf('}', nextClose + 1)
    }
  }
}

/**
 * The usage of a non-stream body without parsing the whole answer: the last `"usage"` object (Gemini:
 * `"usageMetadata"`; Ollama: its counters). Returns a payload `observeUsage` understands.
 */
export function extractUsage(format: FormatId, text: string): Record<string, unknown> {
  if (format === 'ollama') {
    const payload: Record<string, unknown> = {}
    for (const [key, pattern] of ollamaCounters) {
      const match = pattern.exec(text)
      if (match) payload[key] = Number(match[1])
    }
    return payload
  }
  const key = format === 'gemini' ? '"usageMetadata"' : '"usage"'
  const at = text.lastIndexOf(key)
  if (at === -1) return {}
  let brace = at + key.length
  while (isJsonSpace(text.charCodeAt(brace))) brace++
  if (text.charCodeAt(brace) !== 58) return {}
  brace++
  while (isJsonSpace(text.charCodeAt(brace))) brace++
  const object = text.charCodeAt(brace) === 123 ? objectAt(text, brace) : undefined
  if (!object) return {}
  try {
    return { [key.slice(1, -1)]: JSON.parse(object) }
  } catch {
    return {}
  }
}

const ollamaCounters = [
  ['prompt_eval_count', /"prompt_eval_count"\s*:\s*(\d+)/],
  ['eval_count', /"eval_count"\s*:\s*(\d+)/],
] as const

// Lines worth parsing: a usage object (not `"usage":null`), Gemini's usageMetadata, Ollama's counts.
const usageObject = ['"usage":{', '"usage": {']
const needlesByFormat: Record<FormatId, Buffer[]> = {
  'openai-chat': usageObject.map((needle) => Buffer.from(needle)),
  'anthropic-messages': usageObject.map((needle) => Buffer.from(needle)),
  'openai-responses': usageObject.map((needle) => Buffer.from(needle)),
  gemini: [Buffer.from('"usageMetadata"')],
  ollama: [Buffer.from('"eval_count"')],
}

/** Byte needles that mark a line of a format's stream carrying usage, for scanning raw chunks. */
export function usageNeedles(format: FormatId): readonly Buffer[] {
  return needlesByFormat[format]
}

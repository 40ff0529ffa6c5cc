import type { FormatId } from '../formats/types'
import { observeUsage, type ObservedUsage } from './observe-usage'

// A `"model": "…"` key/value at JSON structure level: a quote inside a string value is always escaped.
const modelField = /(?<!\\)"model"(\s*:\s*)"(?:[^"\\]|\\.)*"/g

/** Replaces every structural `"model"` value in a JSON text with the given id. */
export function rewriteModel(text: string, model: string): string {
  if (!text.includes('"model"')) return text
  const replacement = JSON.stringify(model)
  return text.replace(modelField, (_match, colon: string) => `"model"${colon}${replacement}`)
}

/** Reads usage from every complete `data:` line of an SSE text that mentions usage. */
function observeLines(format: FormatId, text: string, usage: ObservedUsage): void {
  if (!text.includes('sage')) return
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    const line = text.slice(start, end)
    start = end + 1
    if ((line.includes('"usage"') || line.includes('"usageMetadata"')) && line.startsWith('data:')) {
      try {
        observeUsage(format, JSON.parse(line.slice(5)), usage)
      } catch {
        // A malformed line is the client's to see; accounting just skips it.
      }
    } else if (format === 'ollama' && line.includes('"eval_count"')) {
      try {
        observeUsage(format, JSON.parse(line), usage)
      } catch {}
    }
  }
}

/**
 * Relays an upstream event stream to the client as it arrives, rewriting only `model` and observing usage.
 * Complete lines are forwarded at once; a partial line waits for its end so a field is never split.
 */
export function relayStream(
  body: ReadableStream<Uint8Array>,
  options: { format: FormatId; model: string; usage: ObservedUsage; onFirstByte: () => void; onEnd: () => void },
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let pending = ''
  let first = true
  let atLineStart = true
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (first) {
          first = false
          options.onFirstByte()
        }
        // A chunk that starts and ends on a line boundary needs no re-assembly (UTF-8 cannot be split there).
        const wasClean = atLineStart
        atLineStart = chunk[chunk.length - 1] === 10
        const text = pending + decoder.decode(chunk, { stream: true })
        const lastNewline = text.lastIndexOf('\n')
        if (lastNewline === -1) {
          pending = text
          return
        }
        const whole = wasClean && atLineStart
        const complete = whole ? text : text.slice(0, lastNewline + 1)
        pending = whole ? '' : text.slice(lastNewline + 1)
        observeLines(options.format, complete, options.usage)
        const rewritten = rewriteModel(complete, options.model)
        // Untouched whole chunks go out as the very bytes that came in.
        controller.enqueue(whole && rewritten === complete ? chunk : encoder.encode(rewritten))
      },
      flush(controller) {
        const rest = pending + decoder.decode()
        if (rest) {
          observeLines(options.format, rest, options.usage)
          controller.enqueue(encoder.encode(rewriteModel(rest, options.model)))
        }
        options.onEnd()
      },
    }),
  )
}

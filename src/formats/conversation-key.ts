import type { FormatId } from './types'

const SAMPLE = 2000

function sample(value: unknown): string {
  if (value === undefined) return ''
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > SAMPLE ? text.slice(0, SAMPLE) : text
}

/**
 * What identifies "the same conversation" in a request body, so its requests can stay on one account and
 * prompt caches stay warm: the client's own session marker when it sends one, otherwise the system prompt
 * and first message (sampled). The caller hashes it.
 */
export function conversationMaterial(format: FormatId, body: Record<string, any>): string | undefined {
  const session = body.metadata?.user_id ?? body.prompt_cache_key
  if (typeof session === 'string' && session) return `s:${session}`
  let first: unknown
  let system: unknown
  switch (format) {
    case 'gemini':
      first = body.contents?.[0]
      system = body.systemInstruction
      break
    case 'openai-responses':
      first = Array.isArray(body.input) ? body.input[0] : body.input
      system = body.instructions
      break
    default:
      first = body.messages?.[0]
      system = body.system
  }
  if (first === undefined) return undefined
  return `c:${sample(system)}\u0000${sample(first)}`
}

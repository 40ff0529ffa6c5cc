/**
 * Ollama's completion endpoint, `POST /api/generate`, as a one-turn chat: the prompt (with system text and images)
 * becomes an Ollama chat body, and each chat answer object comes back in generate's shape — `response` instead of
 * `message.content`. Fill-in-the-middle (`suffix`) has no chat equivalent and is refused; `raw` and `context` are
 * not kept.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-completion
 * @module
 */
import { ProxyError } from '../../core/errors'
import { isObject, type JsonObject } from '../../core/json'

/** A generate body as the one-turn Ollama chat body that asks the same. */
export function generateAsChat(body: JsonObject): JsonObject {
  if (typeof body.suffix === 'string' && body.suffix !== '') {
    throw new ProxyError('invalid_request', 'suffix (fill-in-the-middle) is not supported through modelmux: send the prompt without it, or call the Ollama server directly for code completion', { param: 'suffix' })
  }
  if (typeof body.prompt !== 'string') throw new ProxyError('invalid_request', 'prompt: a string is required', { param: 'prompt' })
  const user: JsonObject = { role: 'user', content: body.prompt }
  if (Array.isArray(body.images)) user.images = body.images
  const messages = [...(typeof body.system === 'string' && body.system !== '' ? [{ role: 'system', content: body.system }] : []), user]
  const chat: JsonObject = { model: body.model, messages, stream: body.stream !== false }
  for (const key of ['options', 'format', 'keep_alive', 'think']) if (body[key] !== undefined) chat[key] = body[key]
  return chat
}

/** One Ollama chat answer object (a stream line, or the whole answer) in generate's shape. */
export function chatAsGenerate(answer: JsonObject): JsonObject {
  if (!isObject(answer.message)) return answer
  const { message, ...rest } = answer
  const out: JsonObject = { ...rest, response: typeof message.content === 'string' ? message.content : '' }
  if (typeof message.thinking === 'string' && message.thinking !== '') out.thinking = message.thinking
  return out
}

/** One NDJSON chat line's text in generate's shape; a line that is not JSON passes unchanged. */
export function chatLineAsGenerate(line: string): string {
  try {
    return JSON.stringify(chatAsGenerate(JSON.parse(line) as JsonObject))
  } catch {
    return line
  }
}

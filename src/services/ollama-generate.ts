/**
 * Ollama's completion endpoint, `POST /api/generate`, for tools that speak it (Continue's Ollama provider, scripts,
 * notebook and editor plugins): the prompt becomes a one-turn Ollama chat request that goes through the router like
 * any other (aliases, combos, fall-over, translation to any upstream, usage), and the chat answer is handed back in
 * generate's shape — `response` instead of `message.content`, NDJSON lines or one JSON object. Fill-in-the-middle
 * (`suffix`) has no chat equivalent and is refused with a clear error; `raw` and `context` are not kept.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-completion
 * @module
 */
import { ProxyError } from '../core/errors'
import { isObject, type JsonObject } from '../core/json'
import type { AppContext } from './context'
import { errorResponse, handleProxy } from './proxy'
import { parseJsonObject, readBodyText } from './read-body'

/** A generate body as the one-turn chat body that asks the same. */
function asChat(body: JsonObject): JsonObject {
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

/** One chat answer object (a line, or the whole answer) in generate's shape. */
function asGenerate(line: JsonObject): JsonObject {
  if (!isObject(line.message)) return line
  const { message, ...rest } = line
  const out: JsonObject = { ...rest, response: typeof message.content === 'string' ? message.content : '' }
  if (typeof message.thinking === 'string' && message.thinking !== '') out.thinking = message.thinking
  return out
}

/** NDJSON chat lines → generate lines, as they come (a line split across chunks waits for its end). */
function generateLines(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let pending = ''
  const convert = (line: string) => {
    if (line.trim() === '') return ''
    try {
      return `${JSON.stringify(asGenerate(JSON.parse(line) as JsonObject))}\n`
    } catch {
      return `${line}\n`
    }
  }
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const lines = (pending + decoder.decode(chunk, { stream: true })).split('\n')
        pending = lines.pop() ?? ''
        const out = lines.map(convert).join('')
        if (out) controller.enqueue(encoder.encode(out))
      },
      flush(controller) {
        const out = convert(pending + decoder.decode())
        if (out) controller.enqueue(encoder.encode(out))
      },
    }),
  )
}

/** Serves `POST /api/generate` through the chat route; errors come in Ollama's `{"error"}` shape. */
export async function handleGenerate(context: AppContext, request: Request): Promise<Response> {
  let chat: JsonObject
  try {
    chat = asChat(parseJsonObject(await readBodyText(request, context.registry.maxBodyBytes)))
  } catch (error) {
    return errorResponse('ollama', error)
  }
  const headers = new Headers(request.headers)
  headers.delete('content-length')
  headers.delete('content-encoding')
  const answer = await handleProxy(context, { format: 'ollama', request: new Request(request.url, { method: 'POST', headers, body: JSON.stringify(chat), signal: request.signal }) })
  if (answer.status >= 400 || !answer.body) return answer
  const out = new Headers(answer.headers)
  out.delete('content-length')
  if (chat.stream === false) return new Response(JSON.stringify(asGenerate((await answer.json()) as JsonObject)), { status: answer.status, headers: out })
  return new Response(generateLines(answer.body), { status: answer.status, headers: out })
}

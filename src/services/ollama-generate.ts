/**
 * Ollama's completion endpoint, `POST /api/generate`, for tools that speak it (Continue's Ollama provider, scripts,
 * notebook and editor plugins): the prompt becomes a one-turn Ollama chat request that goes through the router like
 * any other (aliases, combos, fall-over, translation to any upstream, usage), and the chat answer is handed back in
 * generate's shape, NDJSON lines or one JSON object. The wire mapping lives in formats/ollama/generate.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-completion
 * @module
 */
import type { JsonObject } from '../core/json'
import { createNdjsonDecoderStream, createNdjsonEncoderStream, type SseEvent } from '../core/sse'
import { chatAsGenerate, chatLineAsGenerate, generateAsChat } from '../formats/ollama/generate'
import type { AppContext } from './context'
import { errorResponse, handleProxy } from './proxy'
import { parseJsonObject, readBodyText } from './read-body'

/** NDJSON chat lines → generate lines, as they come. */
function generateLines(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const toGenerate = new TransformStream<SseEvent, SseEvent>({
    transform(event, controller) {
      controller.enqueue({ data: chatLineAsGenerate(event.data) })
    },
  })
  return body.pipeThrough(createNdjsonDecoderStream()).pipeThrough(toGenerate).pipeThrough(createNdjsonEncoderStream())
}

/** Serves `POST /api/generate` through the chat route; errors come in Ollama's `{"error"}` shape. */
export async function handleGenerate(context: AppContext, request: Request): Promise<Response> {
  let chat: JsonObject
  try {
    chat = generateAsChat(parseJsonObject(await readBodyText(request, context.registry.maxBodyBytes)))
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
  if (chat.stream === false) return new Response(JSON.stringify(chatAsGenerate((await answer.json()) as JsonObject)), { status: answer.status, headers: out })
  return new Response(generateLines(answer.body), { status: answer.status, headers: out })
}

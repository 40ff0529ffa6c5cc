/**
 * Sends an OpenAI Chat Completions call to a Responses endpoint and back, for a provider whose
 * declared format is chat but which serves some models only on `/responses` (GitHub Copilot):
 * the chat body goes through the IR to a Responses body, and the Responses answer (stream or JSON)
 * comes back as chat, so the rest of the pipeline still sees the provider's declared format.
 * @module
 */
import type { EncodeContext } from '../../core/ids'
import { translateRequest, translateResponse, translateStream } from '../../core/translate'
import { openaiChat } from '../openai-chat'
import { openaiResponsesFormat } from '../openai-responses'

/** A chat request body as a Responses request body for `model`. */
export function chatBodyToResponses(body: Record<string, unknown>, model: string): Record<string, unknown> {
  return translateRequest({ ...body, model }, openaiChat, openaiResponsesFormat, { model }) as Record<string, unknown>
}

/** A successful Responses answer (SSE or JSON) as a chat answer (chat chunks or a chat completion); lazy. */
export function responsesAnswerToChat(response: Response, context: EncodeContext): Response {
  if (!response.body) return response
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  headers.delete('content-encoding')
  if ((response.headers.get('content-type') ?? '').includes('event-stream')) {
    headers.set('content-type', 'text/event-stream')
    return new Response(translateStream(response.body, openaiResponsesFormat, openaiChat, context), { status: response.status, headers })
  }
  headers.set('content-type', 'application/json')
  const text = response.text()
  // Stay lazy: the body is only translated when read; an unreadable body passes as it came.
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const raw = await text
      let out = raw
      try {
        out = JSON.stringify(translateResponse(JSON.parse(raw), openaiResponsesFormat, openaiChat, context))
      } catch {
        // not a Responses body: leave it for the error path to describe
      }
      controller.enqueue(new TextEncoder().encode(out))
      controller.close()
    },
  })
  return new Response(stream, { status: response.status, headers })
}

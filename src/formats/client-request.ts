import { ProxyError } from '../core/errors'
import type { ChatRequest } from '../core/ir'
import { assertTranslatable as assertResponsesTranslatable } from './openai-responses'
import type { FormatId } from './types'

/**
 * Whether a request streams: Ollama streams unless told not to; every other API only when asked.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */
export function requestStreams(format: FormatId, body: Record<string, unknown>): boolean {
  return format === 'ollama' ? body.stream !== false : body.stream === true
}

/**
 * How many answers a request asks for at once: OpenAI Chat's `n`, Gemini's `generationConfig.candidateCount`;
 * one for every other format. Streams carry them side by side, and only a single answer can be carried on.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-n
 * @see https://ai.google.dev/api/generate-content#generationconfig
 */
export function requestedAnswers(format: FormatId, body: Record<string, unknown>): number {
  const count =
    format === 'openai-chat' ? body.n : format === 'gemini' ? (body.generationConfig as Record<string, unknown> | undefined)?.candidateCount : undefined
  return typeof count === 'number' && count > 1 ? count : 1
}

/** The model a client named, normalised: an Ollama `:latest` tag names the same model. */
export function normaliseModelName(format: FormatId, model: string): string {
  return format === 'ollama' ? model.replace(/:latest$/, '') : model
}

/** The model a request names (in its URL path, else its body), trimmed and normalised; throws a 400 when there is none. */
export function readModel(format: FormatId, body: Record<string, unknown>, pathModel?: string): string {
  const model = pathModel ?? body.model
  if (typeof model !== 'string' || model.trim() === '') {
    throw new ProxyError('invalid_request', '"model" is required: a string such as "<prefix>/<model>", a combo or an alias', { param: 'model' })
  }
  return normaliseModelName(format, model.trim())
}

/** Throws when a request holds state only an upstream of its own format can keep (Responses' `previous_response_id`). */
export function assertTranslatable(format: FormatId, request: ChatRequest): void {
  if (format === 'openai-responses') assertResponsesTranslatable(request)
}

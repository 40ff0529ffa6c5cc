/**
 * The output-token limit of a request body in each wire format, read and lowered in place of the client's own
 * (the router lowers it when an upstream names a smaller cap). Lowering it below an Anthropic thinking budget
 * lowers the budget too: Anthropic wants `budget_tokens` under `max_tokens`.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens
 * @see https://docs.anthropic.com/en/api/messages (max_tokens, thinking.budget_tokens)
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-max_output_tokens
 * @see https://ai.google.dev/api/generate-content#generationconfig (maxOutputTokens)
 * @see https://github.com/ollama/ollama/blob/main/docs/modelfile.md#valid-parameters-and-values (num_predict)
 * @module
 */
import type { ChatRequest } from '../core/ir'
import { isObject, type JsonObject } from '../core/json'
import type { FormatId } from './types'

type Json = JsonObject

/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024

const numberAt = (holder: unknown, key: string) => (isObject(holder) && typeof holder[key] === 'number' ? (holder[key] as number) : undefined)

/** Where a format keeps the limit: the object holding it (inside `body`) and the field name. */
function slot(format: FormatId, body: Json): { holder: unknown; key: string } {
  switch (format) {
    case 'openai-chat':
      return { holder: body, key: body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens' }
    case 'anthropic-messages':
      return { holder: body, key: 'max_tokens' }
    case 'openai-responses':
      return { holder: body, key: 'max_output_tokens' }
    case 'gemini':
      return { holder: body.generationConfig ?? body.generation_config, key: body.generation_config && !body.generationConfig ? 'max_output_tokens' : 'maxOutputTokens' }
    case 'ollama':
      return { holder: body.options, key: 'num_predict' }
  }
}

/** The output-token limit a request body asks for, if it sets one. */
export function readMaxOutputTokens(format: FormatId, body: Json): number | undefined {
  const { holder, key } = slot(format, body)
  return numberAt(holder, key)
}

/** A copy of the body (the objects on the way copied, the rest shared) whose output limit is at most `cap`; the body itself when it already is. */
export function capMaxOutputTokens(format: FormatId, body: Json, cap: number): Json {
  const current = readMaxOutputTokens(format, body)
  if (current === undefined || current <= cap) return body
  const next: Json = { ...body }
  if (format === 'gemini') {
    const name = body.generationConfig ? 'generationConfig' : 'generation_config'
    next[name] = { ...(body[name] as Json), [slot(format, body).key]: cap }
  } else if (format === 'ollama') next.options = { ...(body.options as Json), num_predict: cap }
  else next[slot(format, body).key] = cap
  const budget = format === 'anthropic-messages' ? numberAt(body.thinking, 'budget_tokens') : undefined
  if (budget !== undefined && budget >= cap && cap > MIN_THINKING_BUDGET) next.thinking = { ...(body.thinking as Json), budget_tokens: cap - 1 }
  return next
}

/** The canonical request with its output limit (or, unset, the `fallback` an encoder would use) at most `cap`. */
export function capRequestOutput(request: ChatRequest, cap: number, fallback?: number): ChatRequest {
  const current = request.maxTokens ?? fallback
  if (current !== undefined && current <= cap) return request
  const budget = request.reasoning?.budgetTokens
  const reasoning = budget !== undefined && budget >= cap && cap > MIN_THINKING_BUDGET ? { ...request.reasoning, budgetTokens: cap - 1 } : request.reasoning
  return { ...request, maxTokens: cap, ...(reasoning ? { reasoning } : {}) }
}

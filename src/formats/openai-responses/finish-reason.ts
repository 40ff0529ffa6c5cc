import type { FinishReason } from '../../core/ir'

/**
 * Responses `status` (+ `incomplete_details.reason`) → IR finish reason. The API has no
 * "tool calls" status: a completed response that holds a `function_call` item is one.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-status
 */
export function mapResponsesStatus(status: unknown, incompleteReason: unknown, calledFunction: boolean): FinishReason {
  switch (status) {
    case 'completed':
      return calledFunction ? 'tool-calls' : 'stop'
    case 'incomplete':
      if (incompleteReason === 'max_output_tokens') return 'length'
      if (incompleteReason === 'content_filter') return 'content-filter'
      return 'other'
    case 'failed':
      return 'error'
    default:
      return 'other'
  }
}

/** The raw reason kept beside the unified one: the incomplete reason, else the status. */
export function rawResponsesReason(status: unknown, incompleteReason: unknown): string | undefined {
  if (status === 'incomplete' && typeof incompleteReason === 'string') return incompleteReason
  return typeof status === 'string' ? status : undefined
}

/**
 * IR finish reason → Responses `status` and `incomplete_details`. Reasons the API cannot express
 * (`error`, `other`) read as `completed`: the content that arrived is complete as far as it goes.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-incomplete_details
 */
export function toResponsesStatus(reason: FinishReason | undefined): { status: string; incomplete_details: { reason: string } | null } {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }
  if (reason === 'content-filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } }
  return { status: 'completed', incomplete_details: null }
}

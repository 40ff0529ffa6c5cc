import type { SseEvent } from '../../core/sse'
import type { StreamProbe } from '../types'

const preamble = new Set(['response.created', 'response.in_progress', 'response.queued'])

/**
 * Whether a Responses event is output (any item or delta, or the end), an error, or preamble.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function probeResponsesEvent(event: SseEvent): StreamProbe {
  const type = event.event ?? JSON.parse(event.data)?.type
  if (type === 'error' || type === 'response.failed') return 'error'
  return preamble.has(type) ? 'preamble' : 'output'
}

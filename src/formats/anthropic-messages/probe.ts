import type { SseEvent } from '../../core/sse'
import type { StreamProbe } from '../types'

/**
 * Whether a Messages event starts or carries output, is an error, or is preamble (`message_start`, `ping`).
 * @see https://docs.anthropic.com/en/api/messages-streaming#event-types
 */
export function probeAnthropicEvent(event: SseEvent): StreamProbe {
  const type = event.event ?? JSON.parse(event.data)?.type
  if (type === 'error') return 'error'
  if (type === 'content_block_start' || type === 'content_block_delta' || type === 'message_delta' || type === 'message_stop') return 'output'
  return 'preamble'
}

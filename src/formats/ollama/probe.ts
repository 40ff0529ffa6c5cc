import type { SseEvent } from '../../core/sse'
import type { StreamProbe } from '../types'

/**
 * Whether an Ollama NDJSON line carries output (content, thinking, tool calls, or `done`), an error, or nothing.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */
export function probeOllamaEvent(event: SseEvent): StreamProbe {
  const line = JSON.parse(event.data)
  if (line?.error) return 'error'
  const message = line?.message ?? {}
  if (message.content || message.thinking || message.tool_calls?.length || line?.done) return 'output'
  return 'preamble'
}

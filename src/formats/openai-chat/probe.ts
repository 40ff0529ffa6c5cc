import type { SseEvent } from '../../core/sse'
import type { StreamProbe } from '../types'

/**
 * Whether a chat chunk carries output (text, reasoning, a tool call or a finish), an error, or only preamble.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
 */
export function probeOpenAIChatEvent(event: SseEvent): StreamProbe {
  if (event.data === '[DONE]') return 'output'
  const chunk = JSON.parse(event.data)
  if (chunk?.error) return 'error'
  const choice = chunk?.choices?.[0]
  if (!choice) return 'preamble'
  const delta = choice.delta ?? {}
  if (delta.content || delta.reasoning_content || delta.reasoning || delta.tool_calls?.length || delta.refusal || choice.finish_reason) return 'output'
  return 'preamble'
}

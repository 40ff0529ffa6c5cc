/**
 * What Claude Code demands of an Anthropic Messages stream, as a reusable checker. Returns the list
 * of violations (empty = valid) so tests can also prove that broken streams are caught.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 */
import type { SseEvent } from '../../src/core/sse'

const deltaTypesByBlock: Record<string, string[]> = {
  text: ['text_delta', 'citations_delta'],
  thinking: ['thinking_delta', 'signature_delta'],
  redacted_thinking: [],
  tool_use: ['input_json_delta'],
  server_tool_use: ['input_json_delta'],
  mcp_tool_use: ['input_json_delta'],
}

/** Checks an Anthropic SSE event list against the stream contract. */
export function checkAnthropicStream(events: SseEvent[]): string[] {
  const problems: string[] = []
  let messageStarts = 0
  let messageDeltas = 0
  let stopped = false
  let nextIndex = 0
  let openIndex = -1
  let openType = ''
  let openJson = ''
  let toolUsed = false
  for (let position = 0; position < events.length; position++) {
    const event = events[position]
    let payload: Record<string, any>
    try {
      payload = JSON.parse(event.data)
    } catch {
      problems.push(`event ${position}: data is not JSON`)
      continue
    }
    const where = `event ${position} (${payload.type})`
    if (event.event !== payload.type) problems.push(`${where}: event line "${event.event}" does not match type`)
    if (stopped) problems.push(`${where}: after message_stop`)
    if (payload.type === 'error') {
      if (position !== events.length - 1) problems.push(`${where}: error is not the last event`)
      if (typeof payload.error?.type !== 'string' || typeof payload.error?.message !== 'string') problems.push(`${where}: malformed error`)
      return problems
    }
    if (payload.type !== 'message_start' && messageStarts === 0) problems.push(`${where}: before message_start`)
    switch (payload.type) {
      case 'message_start': {
        messageStarts++
        if (position !== 0) problems.push(`${where}: message_start is not first`)
        const usage = payload.message?.usage
        if (typeof usage?.input_tokens !== 'number' || typeof usage?.output_tokens !== 'number') problems.push(`${where}: usage missing`)
        if (payload.message?.role !== 'assistant' || !Array.isArray(payload.message?.content)) problems.push(`${where}: malformed message`)
        if (typeof payload.message?.id !== 'string' || payload.message.id === '') problems.push(`${where}: message id missing`)
        break
      }
      case 'content_block_start':
        if (openIndex !== -1) problems.push(`${where}: block ${payload.index} starts while block ${openIndex} is open`)
        if (payload.index !== nextIndex) problems.push(`${where}: index ${payload.index}, expected ${nextIndex}`)
        if (messageDeltas > 0) problems.push(`${where}: block after message_delta`)
        nextIndex = payload.index + 1
        openIndex = payload.index
        openType = payload.content_block?.type
        openJson = ''
        if (openType === 'tool_use') toolUsed = true
        if (openType === 'thinking' && typeof payload.content_block?.signature !== 'string') problems.push(`${where}: thinking without signature field`)
        break
      case 'content_block_delta': {
        if (payload.index !== openIndex) problems.push(`${where}: delta for block ${payload.index}, open is ${openIndex}`)
        const allowed = deltaTypesByBlock[openType]
        if (allowed && !allowed.includes(payload.delta?.type)) problems.push(`${where}: ${payload.delta?.type} in a ${openType} block`)
        if (payload.delta?.type === 'input_json_delta') openJson += payload.delta.partial_json
        break
      }
      case 'content_block_stop':
        if (payload.index !== openIndex) problems.push(`${where}: stop for block ${payload.index}, open is ${openIndex}`)
        if (openType === 'tool_use' && openJson.trim() !== '') {
          try {
            JSON.parse(openJson)
          } catch {
            problems.push(`${where}: tool_use input is not valid JSON: ${openJson.slice(0, 80)}`)
          }
        }
        openIndex = -1
        break
      case 'message_delta':
        messageDeltas++
        if (openIndex !== -1) problems.push(`${where}: block ${openIndex} still open`)
        if (typeof payload.delta?.stop_reason !== 'string') problems.push(`${where}: stop_reason missing`)
        if (toolUsed && payload.delta?.stop_reason !== 'tool_use' && payload.delta?.stop_reason !== 'max_tokens') {
          problems.push(`${where}: a tool was called but stop_reason is ${payload.delta?.stop_reason}`)
        }
        if (typeof payload.usage?.output_tokens !== 'number') problems.push(`${where}: usage missing`)
        break
      case 'message_stop':
        stopped = true
        if (messageDeltas !== 1) problems.push(`${where}: ${messageDeltas} message_delta events before it`)
        break
      case 'ping':
        break
      default:
        problems.push(`${where}: unknown event type`)
    }
  }
  if (messageStarts !== 1) problems.push(`${messageStarts} message_start events`)
  if (!stopped) problems.push('no message_stop')
  return problems
}

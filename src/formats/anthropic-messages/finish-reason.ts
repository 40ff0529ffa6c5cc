import type { FinishReason } from '../../core/ir'

const unifiedByReason: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  tool_use: 'tool-calls',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  refusal: 'content-filter',
}

/**
 * Anthropic `stop_reason` → IR finish reason.
 * @see https://docs.anthropic.com/en/api/messages#response-stop-reason
 */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  return (reason && unifiedByReason[reason]) || 'other'
}

/**
 * IR finish reason → Anthropic `stop_reason`. The raw reason is kept when it is an Anthropic value
 * meaning the same thing (`pause_turn`, `stop_sequence`…); `toolCalled` forces `tool_use`, which
 * Claude Code needs to run the tools.
 * @see https://docs.anthropic.com/en/api/messages#response-stop-reason
 */
export function toAnthropicStopReason(
  reason: FinishReason,
  options: { rawReason?: string; stopSequence?: string; toolCalled?: boolean } = {},
): string {
  if (options.toolCalled && reason !== 'length' && reason !== 'content-filter') return 'tool_use'
  if (options.rawReason && unifiedByReason[options.rawReason] === reason) return options.rawReason
  switch (reason) {
    case 'length':
      return 'max_tokens'
    case 'tool-calls':
      return 'tool_use'
    case 'content-filter':
      return 'refusal'
    default:
      return options.stopSequence !== undefined ? 'stop_sequence' : 'end_turn'
  }
}

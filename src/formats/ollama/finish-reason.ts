import type { FinishReason } from '../../core/ir'

/**
 * Ollama `done_reason` → IR finish reason. Ollama reports tool calls as `stop`, so a call seen in
 * the message makes it `tool-calls`; `load`/`unload` answer a model (un)load, not a generation.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 */
export function mapOllamaDoneReason(reason: unknown, calledTool: boolean): FinishReason {
  switch (reason) {
    case 'length':
      return 'length'
    case 'load':
    case 'unload':
      return 'other'
    case 'stop':
    case undefined:
    case null:
    case '':
      return calledTool ? 'tool-calls' : 'stop'
    default:
      return 'other'
  }
}

/** IR finish reason → Ollama `done_reason` (`length` or `stop`; an Ollama-only raw reason is kept). */
export function toOllamaDoneReason(reason: FinishReason | undefined, rawReason?: string): string {
  if (reason === 'length') return 'length'
  if (reason === 'other' && (rawReason === 'load' || rawReason === 'unload')) return rawReason
  return 'stop'
}

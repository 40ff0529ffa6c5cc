import type { Usage } from '../../core/ir'
import type { JsonObject } from '../../core/json'

/** Ollama's timing fields (nanoseconds), kept in extensions so an Ollama client gets them back. */
export const durationFields = ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const

/**
 * Ollama counts (`prompt_eval_count`, `eval_count`) → IR usage; Ollama has no cache or reasoning counts.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#response-9
 */
export function decodeOllamaUsage(wire: JsonObject): Usage | undefined {
  const usage: Usage = {}
  if (typeof wire.prompt_eval_count === 'number') usage.inputTokens = wire.prompt_eval_count
  if (typeof wire.eval_count === 'number') usage.outputTokens = wire.eval_count
  return Object.keys(usage).length > 0 ? usage : undefined
}

/** IR usage → Ollama counts (only the ones known). */
export function encodeOllamaUsage(usage: Usage | undefined): JsonObject {
  const counts: JsonObject = {}
  if (usage?.inputTokens !== undefined) counts.prompt_eval_count = usage.inputTokens
  if (usage?.outputTokens !== undefined) counts.eval_count = usage.outputTokens
  return counts
}

/** The timing fields present on a final Ollama object. */
export function pickDurations(wire: JsonObject): JsonObject | undefined {
  let durations: JsonObject | undefined
  for (const field of durationFields) {
    if (typeof wire[field] === 'number') (durations ??= {})[field] = wire[field]
  }
  return durations
}

import type { SseEvent } from '../../core/sse'
import type { StreamProbe } from '../types'

/**
 * Whether a Gemini chunk carries parts or a finish reason, an error, or nothing yet.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function probeGeminiEvent(event: SseEvent): StreamProbe {
  const chunk = JSON.parse(event.data)
  if (chunk?.error) return 'error'
  const candidate = chunk?.candidates?.[0]
  if (candidate?.content?.parts?.length || candidate?.finishReason) return 'output'
  return 'preamble'
}

import type { FinishReason } from '../../core/ir'

/**
 * Gemini `finishReason` → IR finish reason. Gemini answers `STOP` even when it called a function,
 * so `hasToolCalls` turns that into `tool-calls`.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGeminiFinishReason(reason: string | null | undefined, hasToolCalls = false): FinishReason {
  switch (reason) {
    case 'STOP':
      return hasToolCalls ? 'tool-calls' : 'stop'
    case 'MAX_TOKENS':
      return 'length'
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
      return 'content-filter'
    case 'MALFORMED_FUNCTION_CALL':
    case 'UNEXPECTED_TOOL_CALL':
    case 'TOO_MANY_TOOL_CALLS':
    case 'MISSING_THOUGHT_SIGNATURE':
    case 'MALFORMED_RESPONSE':
      return 'error'
    default:
      return 'other'
  }
}

/**
 * IR finish reason → Gemini `finishReason`. The raw reason is kept when it is a Gemini value meaning
 * the same thing; `tool-calls` is `STOP` (as Gemini itself says), and `error`/`other` from another
 * format read as `STOP` like every other client format reads them.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function toGeminiFinishReason(reason: FinishReason, rawReason?: string): string {
  if (rawReason && /^[A-Z_]+$/.test(rawReason) && mapGeminiFinishReason(rawReason, reason === 'tool-calls') === reason) return rawReason
  switch (reason) {
    case 'length':
      return 'MAX_TOKENS'
    case 'content-filter':
      return 'SAFETY'
    default:
      return 'STOP'
  }
}

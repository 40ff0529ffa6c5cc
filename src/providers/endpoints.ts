import type { FormatId } from '../formats/types'

/** The path a wire format's endpoint adds to a provider's API base. */
export function endpointPath(format: FormatId, model: string, stream: boolean): string {
  switch (format) {
    case 'openai-chat':
      return '/chat/completions'
    case 'anthropic-messages':
      return '/messages'
    case 'openai-responses':
      return '/responses'
    case 'gemini':
      return stream
        ? `/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`
        : `/models/${encodeURIComponent(model)}:generateContent`
    case 'ollama':
      return '/api/chat'
  }
}

/** Joins an API base and an endpoint path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path
}

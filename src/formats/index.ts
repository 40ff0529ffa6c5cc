import { anthropicMessages } from './anthropic-messages'
import { geminiFormat } from './gemini'
import { ollamaFormat } from './ollama'
import { openaiResponsesFormat } from './openai-responses'
import { openaiChat } from './openai-chat'
import type { FormatId, WireFormat } from './types'

/** Every wire format's codecs, by id. */
export const formats: Record<FormatId, WireFormat> = {
  'openai-chat': openaiChat,
  'anthropic-messages': anthropicMessages,
  gemini: geminiFormat,
  'openai-responses': openaiResponsesFormat,
  ollama: ollamaFormat,
}

/** The codecs of a wire format. */
export function getFormat(id: FormatId): WireFormat {
  return formats[id]
}

import { ProxyError } from '../core/errors'
import { anthropicMessages } from './anthropic-messages'
import { geminiFormat } from './gemini'
import { openaiChat } from './openai-chat'
import type { FormatId, WireFormat } from './types'

/** Every wire format with codecs, by id (openai-responses, gemini and ollama register here as they land). */
export const formats: Partial<Record<FormatId, WireFormat>> = {
  'openai-chat': openaiChat,
  'anthropic-messages': anthropicMessages,
  gemini: geminiFormat,
}

/** The codecs of a wire format; throws when that format has none yet. */
export function getFormat(id: FormatId): WireFormat {
  const format = formats[id]
  if (!format) throw new ProxyError('internal', `no codecs for wire format ${id}`)
  return format
}

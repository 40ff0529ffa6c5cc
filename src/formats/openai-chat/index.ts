import type { WireFormat } from '../types'
import { encodeOpenAIError, encodeOpenAIStreamError } from './errors'
import { decodeOpenAIChatRequest, encodeOpenAIChatRequest } from './request'
import { decodeOpenAIChatResponse, encodeOpenAIChatResponse } from './response'
import { createOpenAIChatStreamDecoderTransformer, createOpenAIChatStreamEncoderTransformer } from './stream'
import { probeOpenAIChatEvent } from './probe'

/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`), also spoken by most OpenAI-compatible upstreams.
 * @see https://platform.openai.com/docs/api-reference/chat
 */
export const openaiChat: WireFormat = {
  id: 'openai-chat',
  request: {
    decode: decodeOpenAIChatRequest,
    encode: encodeOpenAIChatRequest,
    // Upstreams that take a prefill mark it with their own member; whether they repeat the text is not documented for all.
    prefill: (target) => (target.prefillMember ? 'prefill-echo' : undefined),
  },
  response: { decode: decodeOpenAIChatResponse, encode: encodeOpenAIChatResponse },
  stream: {
    framing: 'sse',
    decoder: createOpenAIChatStreamDecoderTransformer,
    encoder: createOpenAIChatStreamEncoderTransformer,
    probe: probeOpenAIChatEvent,
    // A chunk with a finish_reason ends an answer; some servers send only [DONE].
    relay: { endMarks: ['"finish_reason":"', '"finish_reason": "', 'data: [DONE]'], errorMarks: ['data: {"error"'] },
  },
  error: { encode: encodeOpenAIError, encodeStream: encodeOpenAIStreamError },
}

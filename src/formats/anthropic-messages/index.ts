import type { WireFormat } from '../types'
import { encodeAnthropicError, encodeAnthropicStreamError } from './errors'
import { decodeAnthropicRequest, encodeAnthropicRequest } from './request'
import { decodeAnthropicResponse, encodeAnthropicResponse } from './response'
import { createAnthropicStreamDecoderTransformer, createAnthropicStreamEncoderTransformer } from './stream'
import { probeAnthropicEvent } from './probe'

/**
 * Anthropic Messages (`POST /v1/messages`).
 * @see https://docs.anthropic.com/en/api/messages
 */
export const anthropicMessages: WireFormat = {
  id: 'anthropic-messages',
  request: { decode: decodeAnthropicRequest, encode: encodeAnthropicRequest, prefill: () => 'prefill' },
  response: { decode: decodeAnthropicResponse, encode: encodeAnthropicResponse },
  stream: {
    framing: 'sse',
    decoder: createAnthropicStreamDecoderTransformer,
    encoder: createAnthropicStreamEncoderTransformer,
    probe: probeAnthropicEvent,
    relay: { endMarks: ['"message_stop"'], errorMarks: ['event: error\n'] },
  },
  error: { encode: encodeAnthropicError, encodeStream: encodeAnthropicStreamError },
}

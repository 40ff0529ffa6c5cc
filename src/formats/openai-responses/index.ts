import type { WireFormat } from '../types'
import { encodeResponsesError, encodeResponsesStreamError } from './errors'
import { decodeResponsesRequest, encodeResponsesRequest } from './request'
import { decodeResponsesResponse, encodeResponsesResponse } from './response'
import { createResponsesStreamDecoderTransformer, createResponsesStreamEncoderTransformer } from './stream'
import { probeResponsesEvent } from './probe'
import { nextSequenceNumber } from './sequence'

export { assertTranslatable, listUntranslatable } from './translatable'

/**
 * OpenAI Responses API (`POST /v1/responses`), spoken by Codex CLI and the Codex / Copilot upstreams.
 * @see https://platform.openai.com/docs/api-reference/responses
 */
export const openaiResponsesFormat: WireFormat = {
  id: 'openai-responses',
  request: { decode: decodeResponsesRequest, encode: encodeResponsesRequest },
  response: { decode: decodeResponsesResponse, encode: encodeResponsesResponse },
  stream: {
    framing: 'sse',
    decoder: createResponsesStreamDecoderTransformer,
    encoder: createResponsesStreamEncoderTransformer,
    probe: probeResponsesEvent,
    // A response ends completed, incomplete or failed, or with an error event. A rebuilt stream keeps the response's
    // and the message item's ids (the decoder hands them on) and numbers its events after the upstream's.
    relay: {
      endMarks: ['"response.completed"', '"response.incomplete"', '"response.failed"', '"type":"error"', '"type": "error"'],
      errorMarks: ['event: error\n', 'event: response.failed\n'],
      nextNumber: nextSequenceNumber,
    },
  },
  error: { encode: encodeResponsesError, encodeStream: encodeResponsesStreamError },
}

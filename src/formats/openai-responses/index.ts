import type { WireFormat } from '../types'
import { encodeResponsesError, encodeResponsesStreamError } from './errors'
import { decodeResponsesRequest, encodeResponsesRequest } from './request'
import { decodeResponsesResponse, encodeResponsesResponse } from './response'
import { createResponsesStreamDecoderTransformer, createResponsesStreamEncoderTransformer } from './stream'
import { probeResponsesEvent } from './probe'

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
    // A response ends completed, incomplete or failed, or with an error event; its events carry ids of their own.
    relay: { endMarks: ['"response.completed"', '"response.incomplete"', '"response.failed"', '"type":"error"', '"type": "error"'] },
  },
  error: { encode: encodeResponsesError, encodeStream: encodeResponsesStreamError },
}

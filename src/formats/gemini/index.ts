import type { WireFormat } from '../types'
import { encodeGeminiError, encodeGeminiStreamError } from './errors'
import { decodeGeminiRequest, encodeGeminiRequest } from './request'
import { decodeGeminiResponse, encodeGeminiResponse } from './response'
import { createGeminiStreamDecoderTransformer, createGeminiStreamEncoderTransformer } from './stream'
import { probeGeminiEvent } from './probe'

/**
 * Google Gemini `generateContent` / `streamGenerateContent?alt=sse` (model and stream flag in the URL).
 * @see https://ai.google.dev/api/generate-content
 */
export const geminiFormat: WireFormat = {
  id: 'gemini',
  request: { decode: decodeGeminiRequest, encode: encodeGeminiRequest },
  response: { decode: decodeGeminiResponse, encode: encodeGeminiResponse },
  stream: {
    framing: 'sse',
    decoder: createGeminiStreamDecoderTransformer,
    encoder: createGeminiStreamEncoderTransformer,
    probe: probeGeminiEvent,
    // Only a candidate's last chunk has a finishReason; an error ends a stream as an object of its own. A rebuilt
    // stream keeps the upstream's responseId (its decoder hands it on; the encoder reuses it).
    relay: { endMarks: ['"finishReason"', '"error"'], errorMarks: ['data: {"error"'] },
  },
  error: { encode: encodeGeminiError, encodeStream: encodeGeminiStreamError },
}

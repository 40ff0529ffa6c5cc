import type { WireFormat } from '../types'
import { encodeOllamaError, encodeOllamaStreamError } from './errors'
import { decodeOllamaRequest, encodeOllamaRequest } from './request'
import { decodeOllamaResponse, encodeOllamaResponse } from './response'
import { createOllamaStreamDecoderTransformer, createOllamaStreamEncoderTransformer } from './stream'
import { probeOllamaEvent } from './probe'

export { OLLAMA_API_VERSION, ollamaShowRequest, renderOllamaShow, renderOllamaTags, type OllamaModelEntry } from './tags'

/**
 * Ollama's native chat API (`POST /api/chat`, NDJSON streams, `stream` on by default). A final assistant message is
 * a prefill: the model goes on from it, and the reply holds only what it adds.
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion
 * @see https://github.com/ollama/ollama/issues/6778
 */
export const ollamaFormat: WireFormat = {
  id: 'ollama',
  request: { decode: decodeOllamaRequest, encode: encodeOllamaRequest, prefill: () => 'prefill' },
  response: { decode: decodeOllamaResponse, encode: encodeOllamaResponse },
  stream: {
    framing: 'ndjson',
    decoder: createOllamaStreamDecoderTransformer,
    encoder: createOllamaStreamEncoderTransformer,
    probe: probeOllamaEvent,
    // The last line says it is done; an error is a line of its own. Lines carry no ids (the rebuilt stream's
    // created_at is the upstream's first one).
    relay: { endMarks: ['"done":true', '"done": true', '"error"'], errorMarks: ['{"error"'] },
  },
  error: { encode: encodeOllamaError, encodeStream: encodeOllamaStreamError },
}

/** OpenAI Responses stream codecs (decoder and encoder live in their own files). */
export { createResponsesStreamDecoder, createResponsesStreamDecoderTransformer } from './stream-decode'
export { createResponsesStreamEncoder, createResponsesStreamEncoderTransformer } from './stream-encode'

/** OpenAI Responses stream codecs (decoder and encoder live in their own files). */
export { createResponsesStreamDecoderTransformer } from './stream-decode'
export { createResponsesStreamEncoderTransformer } from './stream-encode'

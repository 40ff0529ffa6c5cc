/** OpenAI Responses stream codecs (decoder and encoder live in their own files). */
export { createResponsesStreamDecoder } from './stream-decode'
export { createResponsesStreamEncoder } from './stream-encode'

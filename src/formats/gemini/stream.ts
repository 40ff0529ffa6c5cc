/** Gemini stream codecs (decoder and encoder live in their own files). */
export { createGeminiStreamDecoder } from './stream-decode'
export { createGeminiStreamEncoder } from './stream-encode'

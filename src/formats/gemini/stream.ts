/** Gemini stream codecs (decoder and encoder live in their own files). */
export { createGeminiStreamDecoderTransformer } from './stream-decode'
export { createGeminiStreamEncoderTransformer } from './stream-encode'

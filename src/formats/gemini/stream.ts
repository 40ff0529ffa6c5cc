/** Gemini stream codecs (decoder and encoder live in their own files). */
export { createGeminiStreamDecoder, createGeminiStreamDecoderTransformer } from './stream-decode'
export { createGeminiStreamEncoder, createGeminiStreamEncoderTransformer } from './stream-encode'

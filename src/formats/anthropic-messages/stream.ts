/** Anthropic Messages stream codecs (decoder and encoder live in their own files). */
export { createAnthropicStreamDecoderTransformer, decodeAnthropicStreamError } from './stream-decode'
export { createAnthropicStreamEncoderTransformer } from './stream-encode'

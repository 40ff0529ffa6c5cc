/** Anthropic Messages stream codecs (decoder and encoder live in their own files). */
export { createAnthropicStreamDecoder, createAnthropicStreamDecoderTransformer, decodeAnthropicStreamError } from './stream-decode'
export { createAnthropicStreamEncoder, createAnthropicStreamEncoderTransformer } from './stream-encode'

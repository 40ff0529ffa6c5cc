/** Anthropic Messages stream codecs (decoder and encoder live in their own files). */
export { createAnthropicStreamDecoder, decodeAnthropicStreamError } from './stream-decode'
export { createAnthropicStreamEncoder } from './stream-encode'

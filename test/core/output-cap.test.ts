import { describe, expect, test } from 'bun:test'
import { parseOutputCap } from '../../src/core/output-cap'

describe('output caps named in upstream errors', () => {
  test.each([
    ['max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided 32000.', { tokens: 16384, kind: 'model' }],
    ['Invalid max_tokens value, the valid range of max_tokens is [1, 8192]', { tokens: 8192, kind: 'model' }],
    ['max_tokens: 64000 > 32000, which is the maximum allowed number of output tokens for claude-opus-4-20250514', { tokens: 32000, kind: 'model' }],
    ['`max_tokens` must be less than or equal to `8192`, the maximum value for `max_tokens` is less than the `context_window` for this model', { tokens: 8192, kind: 'model' }],
    ['Unable to submit request because it has a maxOutputTokens value of 100000 but the supported range is from 1 (inclusive) to 65537 (exclusive). Update the value and try again.', { tokens: 65536, kind: 'model' }],
    ["This model's maximum context length is 131072 tokens. However, you requested 131329 tokens (123137 in the messages, 8192 in the completion). Please reduce the length of the messages or completion.", { tokens: 7935, kind: 'context' }],
    ["'max_tokens' or 'max_completion_tokens' is too large: 64000. This model's maximum context length is 64001 tokens and your request has 24235 input tokens (64000 > 64001 - 24235). None", { tokens: 39766, kind: 'context' }],
  ])('%s', (message, cap) => {
    expect(parseOutputCap(JSON.stringify({ error: { message, type: 'invalid_request_error' } }))).toEqual(cap as never)
  })

  test('nothing to retry: other errors, a prompt that alone fills the window, a cap not below what was asked', () => {
    expect(parseOutputCap('messages: roles must alternate')).toBeUndefined()
    expect(parseOutputCap("This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8500 in the messages, 500 in the completion).")).toBeUndefined()
    expect(parseOutputCap('Invalid max_tokens value, the valid range of max_tokens is [1, 8192]', 4096)).toBeUndefined()
    expect(parseOutputCap('Invalid max_tokens value, the valid range of max_tokens is [1, 8192]', 32000)).toEqual({ tokens: 8192, kind: 'model' })
  })
})

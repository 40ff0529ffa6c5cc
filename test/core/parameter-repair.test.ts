import { describe, expect, test } from 'bun:test'
import { applyParameterRepair, parseParameterRepair } from '../../src/core/parameter-repair'

const openaiError = (message: string, param: string | null, code: string) => JSON.stringify({ error: { message, type: 'invalid_request_error', param, code } })
const anthropicError = (message: string) => JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message } })

describe('parameters an upstream refuses', () => {
  test.each([
    [anthropicError('`temperature` and `top_p` cannot both be specified for this model. Please use only one.'), { drop: 'top_p', onlyWith: 'temperature' }],
    [anthropicError('`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility'), { drop: 'temperature', onlyWith: 'thinking' }],
    [openaiError("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens', 'unsupported_parameter'), { rename: 'max_tokens', to: 'max_completion_tokens' }],
    [openaiError("Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", 'temperature', 'unsupported_value'), { drop: 'temperature' }],
    [openaiError("Unsupported parameter: 'top_p' is not supported with this model.", null, 'unsupported_parameter'), { drop: 'top_p' }],
    [openaiError('Unrecognized request argument supplied: prompt_cache_key', null, 'invalid_request_error'), { drop: 'prompt_cache_key' }],
    [JSON.stringify({ detail: [{ type: 'extra_forbidden', loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted', input: { include_usage: true } }] }), { drop: 'stream_options' }],
  ])('%s', (text, repair) => {
    expect(parseParameterRepair(text)).toEqual(repair as never)
  })

  test('never a field that carries meaning, and nothing for other errors', () => {
    expect(parseParameterRepair(openaiError("Unsupported parameter: 'response_format' is not supported with this model.", 'response_format', 'unsupported_parameter'))).toBeUndefined()
    expect(parseParameterRepair(openaiError("Invalid value for 'temperature': must be between 0 and 2.", 'temperature', 'invalid_value'))).toBeUndefined()
    expect(parseParameterRepair(JSON.stringify({ detail: [{ type: 'extra_forbidden', loc: ['body', 'tools'] }] }))).toBeUndefined()
    expect(parseParameterRepair(anthropicError('messages: roles must alternate between "user" and "assistant"'))).toBeUndefined()
  })

  test('applied to a body: dropped, dropped only together with its partner, renamed; untouched when it does not apply', () => {
    const body = { model: 'm', temperature: 0.2, top_p: 0.9, max_tokens: 100 }
    expect(applyParameterRepair(body, { drop: 'top_p', onlyWith: 'temperature' })).toEqual({ model: 'm', temperature: 0.2, max_tokens: 100 })
    const alone = { model: 'm', top_p: 0.9 }
    expect(applyParameterRepair(alone, { drop: 'top_p', onlyWith: 'temperature' })).toBe(alone)
    expect(applyParameterRepair(body, { rename: 'max_tokens', to: 'max_completion_tokens' })).toEqual({ model: 'm', temperature: 0.2, top_p: 0.9, max_completion_tokens: 100 })
    expect(applyParameterRepair(body, { drop: 'seed' })).toBe(body)
  })
})

import { expect, test } from 'bun:test'
import { rewriteModel } from '../../src/services/passthrough'

test.each([
  ['{"id":"x","model":"gpt-4o","choices":[]}', '{"id":"x","model":"p/m","choices":[]}'],
  ['{"model" : "a\\"b", "x": 1}', '{"model" : "p/m", "x": 1}'],
  ['{"content":"say \\"model\\":\\"no\\"","model":"m"}', '{"content":"say \\"model\\":\\"no\\"","model":"p/m"}'],
  ['{"message":{"model":"claude"},"model":"y"}', '{"message":{"model":"p/m"},"model":"p/m"}'],
  ['{"model":null}', '{"model":null}'],
  ['{"model":"unterminated', '{"model":"unterminated'],
  ['no model here', 'no model here'],
  ['{"model":"a\\\\"}', '{"model":"p/m"}'],
])('%s', (input, output) => {
  expect(rewriteModel(input, 'p/m')).toBe(output)
})

test('another field name (Gemini modelVersion)', () => {
  expect(rewriteModel('{"modelVersion":"gemini-2.5","model":"x"}', 'gm/g', 'modelVersion')).toBe('{"modelVersion":"gm/g","model":"x"}')
})

test('usage is read from a body without parsing all of it', async () => {
  const { extractUsage } = await import('../../src/formats/usage-in-text')
  const { observeUsage } = await import('../../src/services/observe-usage')
  const { readBody } = await import('../helpers/recorded')
  for (const [format, file] of [
    ['openai-chat', 'openai-chat/openai-text.json'],
    ['anthropic-messages', 'anthropic/anthropic-text.json'],
    ['gemini', 'gemini/google-text.json'],
    ['openai-responses', 'openai-responses/openai-custom-tool.1.json'],
  ] as const) {
    const text = readBody(file)
    const fast = {}
    const full = {}
    observeUsage(format, extractUsage(format, text), fast)
    observeUsage(format, JSON.parse(text), full)
    expect(fast).toEqual(full)
    expect(Object.keys(full).length).toBeGreaterThan(0)
  }
  expect(extractUsage('openai-chat', '{"content":"the \\"usage\\": {not json","usage":{"prompt_tokens":3}}')).toEqual({ usage: { prompt_tokens: 3 } })
  expect(extractUsage('openai-chat', '{"usage":null}')).toEqual({})
  expect(extractUsage('ollama', '{"model":"x","prompt_eval_count":12,"eval_count":34}')).toEqual({ prompt_eval_count: 12, eval_count: 34 })
})

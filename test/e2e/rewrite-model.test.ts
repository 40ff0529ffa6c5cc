import { expect, test } from 'bun:test'
import { createLineRewriter, rewriteModel } from '../../src/services/passthrough'

const cases: [string, string][] = [
  ['{"id":"x","model":"gpt-4o","choices":[]}', '{"id":"x","model":"p/m","choices":[]}'],
  ['{"model" : "a\\"b", "x": 1}', '{"model" : "p/m", "x": 1}'],
  ['{"content":"say \\"model\\":\\"no\\"","model":"m"}', '{"content":"say \\"model\\":\\"no\\"","model":"p/m"}'],
  ['{"message":{"model":"claude"},"model":"y"}', '{"message":{"model":"p/m"},"model":"p/m"}'],
  ['{"model":null}', '{"model":null}'],
  ['{"model":"unterminated', '{"model":"unterminated'],
  ['no model here', 'no model here'],
  ['{"model":"a\\\\"}', '{"model":"p/m"}'],
  ['{"model":"a\\\\\\"b"}', '{"model":"p/m"}'],
]

test.each(cases)('%s', (input, output) => {
  expect(rewriteModel(input, 'p/m')).toBe(output)
})

/** Pushes the chunks through a fresh rewriter and returns everything it handed on. */
function rewriteChunks(model: string, chunks: Uint8Array[]): string {
  const rewriter = createLineRewriter('openai-chat', model, {})
  const out: Uint8Array[] = []
  for (const chunk of chunks) rewriter.push(chunk, (bytes) => out.push(bytes))
  const rest = rewriter.end()
  if (rest) out.push(rest)
  return Buffer.concat(out).toString()
}

test('the byte-level stream rewriter agrees with the text one, wherever the chunks split', () => {
  const stream = cases.map(([input]) => `data: ${input}\n\n`).join('')
  const expected = cases.map(([, output]) => `data: ${output}\n\n`).join('')
  for (let split = 0; split <= stream.length; split++) {
    // The rewriter owns the chunks it is given (it may compact them in place): each run gets fresh bytes.
    const bytes = Buffer.from(stream)
    expect(rewriteChunks('p/m', [bytes.subarray(0, split), bytes.subarray(split)])).toBe(expected)
  }
  // One byte at a time: every line spans many chunks.
  const bytes = Buffer.from(stream)
  expect(rewriteChunks('p/m', Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1)))).toBe(expected)
  // A longer public model cannot be written in place: the same result, from a copy.
  expect(rewriteChunks('a-much-longer/public-model-name', [Buffer.from(stream)])).toBe(
    cases.map(([input]) => `data: ${rewriteModel(input, 'a-much-longer/public-model-name')}\n\n`).join(''),
  )
})

test('another field name (Gemini modelVersion)', () => {
  expect(rewriteModel('{"modelVersion":"gemini-2.5","model":"x"}', 'gm/g', 'modelVersion')).toBe('{"modelVersion":"gm/g","model":"x"}')
})

test('usage is read from a body without parsing all of it', async () => {
  const { extractUsage } = await import('../../src/formats/usage-in-text')
  const { observeUsage } = await import('../../src/formats/observe-usage')
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
  // Braces and escaped quotes inside strings do not end the object early; a cut-off object is no usage.
  const tricky = { usage: { note: 'a}{"b\\', nested: { deep: { n: 1 } }, after: '}' }, tail: '{' }
  expect(extractUsage('openai-chat', JSON.stringify(tricky))).toEqual({ usage: tricky.usage })
  expect(extractUsage('openai-chat', '{"usage":{"prompt_tokens":3,"x":"}"')).toEqual({})
  expect(extractUsage('ollama', '{"model":"x","prompt_eval_count":12,"eval_count":34}')).toEqual({ prompt_eval_count: 12, eval_count: 34 })
})

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

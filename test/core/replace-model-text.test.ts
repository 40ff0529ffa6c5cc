import { describe, expect, test } from 'bun:test'
import { replaceModelInText } from '../../src/core/json'

describe('replaceModelInText', () => {
  test.each([
    ['{"model":"oa/gpt-4.1","messages":[]}', '{"model":"gpt-4.1","messages":[]}'],
    ['{ "messages": [], "model" : "oa/gpt-4.1" }', '{ "messages": [], "model" : "gpt-4.1" }'],
    ['{"model":"oa/gpt-4.1","messages":[{"role":"user","content":"the \\"model\\" is \\u00e9"}]}', '{"model":"gpt-4.1","messages":[{"role":"user","content":"the \\"model\\" is \\u00e9"}]}'],
  ])('splices only the model value: %s', (input, output) => {
    const result = replaceModelInText(input, 'oa/gpt-4.1', 'gpt-4.1')
    expect(result).toBe(output)
    expect(JSON.parse(result!)).toEqual({ ...JSON.parse(input), model: 'gpt-4.1' })
  })

  test.each([
    // A tool parameter named "model" as well: which one is top level is not certain without parsing.
    ['two "model" keys', '{"model":"oa/gpt-4.1","tools":[{"parameters":{"properties":{"model":{"type":"string"}}}}]}'],
    // The top-level key spelled with an escape; the literal "model" is a nested one.
    ['an escaped key', '{"mod\\u0065l":"oa/gpt-4.1","metadata":{"model":"oa/gpt-4.1"}}'],
    ['a value that is not the model read', '{"model":"other"}'],
    ['a value that is not a string', '{"model":7}'],
    ['an unterminated value', '{"model":"oa/gpt-4.1'],
    ['no model at all', '{"messages":[]}'],
  ])('declines when not certain (%s)', (_, input) => {
    expect(replaceModelInText(input, 'oa/gpt-4.1', 'gpt-4.1')).toBeUndefined()
  })

  test('an escaped value is compared decoded, and the new one is encoded', () => {
    expect(replaceModelInText('{"model":"oa\\/gpt"}', 'oa/gpt', 'a"b')).toBe('{"model":"a\\"b"}')
  })
})

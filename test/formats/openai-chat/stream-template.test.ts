// The decoder reads most chunks without JSON.parse: a chunk that repeats the previous one but for its piece of
// text is matched against that one. These tests hold it to the events a full parse of every chunk gives.
import { describe, expect, test } from 'bun:test'
import type { StreamEvent } from '../../../src/core/ir'
import { openaiChat } from '../../../src/formats/openai-chat'
import { arrayStream, collect, listChunkFixtures } from '../../helpers/fixtures'

const decode = (lines: string[]): Promise<StreamEvent[]> =>
  collect(arrayStream([...lines, '[DONE]'].map((data) => ({ data }))).pipeThrough(openaiChat.stream.decode()))

// A leading space on every other chunk: no chunk then matches the one before it, so each is parsed in full
// (an invalid chunk's error quotes it, space and all: that space is taken out again).
const parsedInFull = async (lines: string[]) =>
  (await decode(lines.map((line, index) => (index % 2 === 1 ? ` ${line}` : line)))).map((event) =>
    event.type === 'error' ? { ...event, error: { ...event.error, message: event.error.message.replace('invalid JSON:  ', 'invalid JSON: ') } } : event,
  )

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' }
const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}, finish: string | null = null) =>
  JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })

describe('chunks read without parsing decode exactly as parsed ones', () => {
  for (const fixture of listChunkFixtures(['openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba'])) {
    test(`${fixture.folder}/${fixture.name}`, async () => {
      expect(await decode(fixture.lines)).toEqual(await parsedInFull(fixture.lines))
    })
  }

  const cases: [string, string[]][] = [
    ['escapes, quotes, unicode and backslashes in the text', [chunk({ role: 'assistant', content: '' }), chunk({ content: 'a' }), chunk({ content: 'line\nbreak "quoted" \\ back\\"slash' }), chunk({ content: 'é ☃ \u2028 😀' }), chunk({ content: '\\' })]],
    ['reasoning, then text, then reasoning again', [chunk({ content: '' }), chunk({ reasoning_content: 'think' }), chunk({ reasoning_content: ' more' }), chunk({ content: 'say' }), chunk({ content: ' it' }), chunk({ reasoning_content: 'again' }), chunk({ reasoning: 'groq style' }), chunk({ reasoning: ' too' })]],
    ['DeepSeek shape: content null beside reasoning, reasoning null beside content', [chunk({ content: '' }), chunk({ content: null, reasoning_content: 'a' }), chunk({ content: null, reasoning_content: 'b' }), chunk({ content: 'c', reasoning_content: null }), chunk({ content: 'd', reasoning_content: null })]],
    ['a finish, usage or tool call after text chunks of the same shape', [chunk({ content: '' }), chunk({ content: 'a' }), chunk({ content: 'b' }, { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }), chunk({ content: 'c' }), chunk({ content: 'd', tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }), chunk({ content: 'e' }, {}, 'stop'), chunk({ content: 'after the end' })]],
    ['an empty piece between text chunks', [chunk({ content: '' }), chunk({ content: 'a' }), chunk({ content: '' }), chunk({ content: 'b' })]],
    ['OpenAI obfuscation padding that changes every chunk', [chunk({ content: '' }, { obfuscation: 'x' }), chunk({ content: 'a' }, { obfuscation: 'QWEr' }), chunk({ content: 'b' }, { obfuscation: 'z1' }), chunk({ content: 'c' }, { obfuscation: 'with \\"escape' }), chunk({ content: 'd' }, { obfuscation: '' })]],
    ['a second choice, or the key spelt twice, is never taken for the piece', [chunk({ content: '' }), JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'hi' } }], other: { content: 'hi' } }), JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'hi' } }], other: { content: 'zz' } }), JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'one' } }, { index: 1, delta: { content: 'two' } }] }), JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: 'three' } }, { index: 1, delta: { content: 'four' } }] })]],
    ['a chunk cut short or not JSON after a matched one', [chunk({ content: '' }), chunk({ content: 'a' }), chunk({ content: 'b' }).slice(0, -3), chunk({ content: 'c' })]],
    ['a raw tab in the piece is rejected as a full parse rejects it', [chunk({ content: '' }), chunk({ content: 'a' }), chunk({ content: 'b' }).replace('"b"', '"b\tc"'), chunk({ content: 'd' })]],
    ['a bad escape in the piece', [chunk({ content: '' }), chunk({ content: 'a' }), chunk({ content: 'b' }).replace('"b"', '"b\\xZZ"')]],
    ['a raw control character in the obfuscation padding', [chunk({ content: '' }, { obfuscation: 'x' }), chunk({ content: 'a' }, { obfuscation: 'ab' }), chunk({ content: 'b' }, { obfuscation: 'cd' }).replace('"cd"', '"c\u0001d"')]],
    ['an in-band error after text chunks', [chunk({ content: '' }), chunk({ content: 'a' }), JSON.stringify({ error: { message: 'overloaded', code: 529 } })]],
  ]
  for (const [name, lines] of cases) {
    test(name, async () => {
      const events = await decode(lines)
      expect(events).toEqual(await parsedInFull(lines))
      expect(events.length).toBeGreaterThan(2)
    })
  }

  test('random sequences of chunk shapes decode exactly as parsed ones (seeded)', async () => {
    let seed = 20261125
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]
    const pieces = ['a', ' word', '', 'quote " and \\ slash', 'line\nbreak', '☃😀', '\u0000', 'tab\t', '"model":"x"', '\\']
    const shapes: (() => string)[] = [
      () => chunk({ content: pick(pieces) }),
      () => chunk({ content: pick(pieces) }, { obfuscation: pick(['', 'ab', 'Q7x']) }),
      () => chunk({ reasoning_content: pick(pieces), content: null }),
      () => chunk({ reasoning: pick(pieces) }),
      () => chunk({ content: pick(pieces) }, { usage: pick([null, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }]) }),
      () => chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: pick(['{"a":', '1}', '']) } }] }),
      () => chunk({ content: pick(pieces) }).replace('"a"', '"a\tb"'),
      () => chunk({ content: pick(pieces) }, {}, pick([null, 'stop', 'length'])),
    ]
    for (let round = 0; round < 300; round++) {
      const lines = [chunk({ role: 'assistant', content: '' }), ...Array.from({ length: 2 + Math.floor(random() * 12) }, () => pick(shapes)())]
      expect(await decode(lines)).toEqual(await parsedInFull(lines))
    }
  })

  test('the text that skipped parsing is the text sent', async () => {
    const pieces = ['Hello', ', "world"', '\n', '\\n is not a newline', ' ☃']
    const events = await decode([chunk({ role: 'assistant', content: '' }), ...pieces.map((content) => chunk({ content }))])
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('')
    expect(text).toBe(pieces.join(''))
  })
})

// The OpenAI Chat and Anthropic decoders read most events without JSON.parse: an event that repeats the previous
// one but for its piece of text is matched against that one (core/piece-template). These tests hold them to the
// events a full parse of every event gives.
import { describe, expect, test } from 'bun:test'
import type { StreamEvent } from '../../src/core/ir'
import { createFramingDecoder, type SseEvent, toTransformStream } from '../../src/core/sse'
import { anthropicMessages } from '../../src/formats/anthropic-messages'
import { openaiChat } from '../../src/formats/openai-chat'
import { openaiResponsesFormat as openaiResponses } from '../../src/formats/openai-responses'
import type { WireFormat } from '../../src/formats/types'
import { arrayStream, collect, listChunkFixtures, splitAnthropicMessages } from '../helpers/fixtures'

const decodeWith = (format: WireFormat, events: SseEvent[]): Promise<StreamEvent[]> => collect(arrayStream(events).pipeThrough(toTransformStream(format.stream.decoder())))

// A leading space on every other event: no event then matches the one before it, so each is parsed in full
// (an invalid event's error quotes it, space and all: that space is taken out again).
const spaced = (events: SseEvent[]) => events.map((event, index) => (index % 2 === 1 ? { ...event, data: ` ${event.data}` } : event))
const unspaced = (events: StreamEvent[]) =>
  events.map((event) => (event.type === 'error' ? { ...event, error: { ...event.error, message: event.error.message.replace('invalid JSON:  ', 'invalid JSON: ') } } : event))

/**
 * The events as SSE bytes, cut in three, read the way the stream translator reads them: one-line events offered to
 * the decoder in place (`transformRange`), the rest (and those it declines) as events.
 */
function decodeInPlace(format: WireFormat, events: SseEvent[]): StreamEvent[] {
  const decoder = format.stream.decoder()
  const out: StreamEvent[] = []
  const push = (event: StreamEvent) => out.push(event)
  const framing = createFramingDecoder('sse', (text, start, end, name) => decoder.transformRange?.(text, start, end, name, push) ?? false)
  const bytes = new TextEncoder().encode(events.map((event) => `${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`).join(''))
  const cuts = [0, Math.floor(bytes.length / 3), Math.floor((bytes.length * 2) / 3), bytes.length]
  for (let index = 1; index < cuts.length; index++) framing.transform(bytes.subarray(cuts[index - 1], cuts[index]), (event) => decoder.transform(event, push))
  framing.flush((event) => decoder.transform(event, push))
  decoder.flush(push)
  return out
}

const done: SseEvent = { data: '[DONE]' }
const decode = async (lines: string[]) => {
  const events = [...lines.map((data) => ({ data })), done]
  const decoded = await decodeWith(openaiChat, events)
  expect(decodeInPlace(openaiChat, events)).toEqual(decoded)
  return decoded
}
const parsedInFull = async (lines: string[]) => unspaced(await decodeWith(openaiChat, [...spaced(lines.map((data) => ({ data }))), done]))

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' }
const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}, finish: string | null = null) =>
  JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })

describe('OpenAI Chat chunks read without parsing decode exactly as parsed ones', () => {
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
    ['a chunk that matches but for bytes after its end', [chunk({ content: '' }), chunk({ content: 'a' }), `${chunk({ content: 'b' })} junk`, chunk({ content: 'c' })]],
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

// The event name is the payload's first `type` (read without parsing: some cases hold invalid JSON on purpose).
const namedEvents = (lines: string[]): SseEvent[] => lines.map((data) => ({ event: /"type":"(\w+)"/.exec(data)?.[1], data }))
const anthropicCases = {
  decode: async (lines: string[]) => {
    const decoded = await decodeWith(anthropicMessages, namedEvents(lines))
    expect(decodeInPlace(anthropicMessages, namedEvents(lines))).toEqual(decoded)
    return decoded
  },
  parsedInFull: async (lines: string[]) => unspaced(await decodeWith(anthropicMessages, spaced(namedEvents(lines)))),
}

describe('Anthropic events read without parsing decode exactly as parsed ones', () => {
  for (const fixture of splitAnthropicMessages(listChunkFixtures(['anthropic']))) {
    test(`${fixture.folder}/${fixture.name}`, async () => {
      expect(await anthropicCases.decode(fixture.lines)).toEqual(await anthropicCases.parsedInFull(fixture.lines))
    })
  }

  const start = JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } } })
  const open = (index: number, type: 'text' | 'thinking') => JSON.stringify({ type: 'content_block_start', index, content_block: type === 'text' ? { type, text: '' } : { type, thinking: '' } })
  const text = (index: number, piece: string) => JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } })
  const thinking = (index: number, piece: string) => JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } })
  const close = (index: number) => JSON.stringify({ type: 'content_block_stop', index })
  const end = [JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }), JSON.stringify({ type: 'message_stop' })]
  const cases: [string, string[]][] = [
    ['escapes, quotes, unicode and backslashes', [start, open(0, 'text'), text(0, 'a'), text(0, 'line\nbreak "q" \\ x'), text(0, '☃😀 \u2028'), text(0, '\\'), close(0), ...end]],
    ['thinking, then text in the next block: the index follows the open block', [start, open(0, 'thinking'), thinking(0, 'hm'), thinking(0, ' more'), close(0), open(1, 'text'), text(1, 'a'), text(1, 'b'), close(1), ...end]],
    ['a delta for a block that was closed is still refused', [start, open(0, 'text'), text(0, 'a'), text(0, 'b'), close(0), text(0, 'late'), ...end]],
    ['an empty piece, a raw tab and a bad escape go to the full parse', [start, open(0, 'text'), text(0, 'a'), text(0, ''), text(0, 'b'), text(0, 'c').replace('"c"', '"c\td"'), text(0, 'x')]],
    ['a bad escape after matched deltas', [start, open(0, 'text'), text(0, 'a'), text(0, 'b'), text(0, 'c').replace('"c"', '"c\\q"')]],
    ['a ping and an in-band error between deltas', [start, open(0, 'text'), text(0, 'a'), JSON.stringify({ type: 'ping' }), text(0, 'b'), JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })]],
  ]
  for (const [name, lines] of cases) {
    test(name, async () => {
      const events = await anthropicCases.decode(lines)
      expect(events).toEqual(await anthropicCases.parsedInFull(lines))
      expect(events.length).toBeGreaterThan(3)
    })
  }

  test('an event without a name is matched only against one without a name', async () => {
    const lines = [start, open(0, 'text'), text(0, 'a'), text(0, 'b'), text(0, 'c')]
    const events = namedEvents(lines).map((event, index) => (index === 3 ? { data: event.data } : event))
    expect(await decodeWith(anthropicMessages, events)).toEqual(unspaced(await decodeWith(anthropicMessages, spaced(events))))
  })
})

const responsesCases = {
  decode: (lines: string[]) => decodeWith(openaiResponses, namedEvents(lines)),
  parsedInFull: async (lines: string[]) => unspaced(await decodeWith(openaiResponses, spaced(namedEvents(lines)))),
}

describe('Responses events read without parsing decode exactly as parsed ones', () => {
  for (const fixture of listChunkFixtures(['openai-responses'])) {
    test(`${fixture.folder}/${fixture.name}`, async () => {
      expect(await responsesCases.decode(fixture.lines)).toEqual(await responsesCases.parsedInFull(fixture.lines))
    })
  }

  let sequence = 0
  const event = (type: string, fields: Record<string, unknown>) => JSON.stringify({ type, sequence_number: sequence++, ...fields })
  const created = () => event('response.created', { response: { id: 'resp_1', model: 'gpt', status: 'in_progress', created_at: 1 } })
  const message = (index: number) => [
    event('response.output_item.added', { output_index: index, item: { id: `msg_${index}`, type: 'message', role: 'assistant', content: [] } }),
    event('response.content_part.added', { item_id: `msg_${index}`, output_index: index, content_index: 0, part: { type: 'output_text', text: '' } }),
  ]
  const text = (index: number, delta: string, obfuscation?: string) =>
    event('response.output_text.delta', { item_id: `msg_${index}`, output_index: index, content_index: 0, delta, logprobs: [], ...(obfuscation === undefined ? {} : { obfuscation }) })
  const completed = () => event('response.completed', { response: { id: 'resp_1', status: 'completed', usage: { input_tokens: 3, output_tokens: 5, total_tokens: 8 } } })
  const cases: [string, () => string[]][] = [
    ['sequence numbers and padding that change in every event', () => [created(), ...message(0), text(0, 'a', 'x'), text(0, 'b', 'QWE'), text(0, 'line\nbreak "q" \\', ''), text(0, '☃😀'), completed()]],
    ['a second message: the output index follows the item', () => [created(), ...message(0), text(0, 'a'), text(0, 'b'), ...message(1), text(1, 'c'), text(1, 'd'), text(0, 'late'), completed()]],
    ['a counter that is not a whole number, and invalid pieces, go to the full parse', () => [created(), ...message(0), text(0, 'a'), text(0, 'b').replace(/"sequence_number":\d+/, '"sequence_number":-1'), text(0, 'c').replace(/"sequence_number":\d+/, '"sequence_number":1.5'), text(0, 'd'), text(0, 'e').replace('"e"', '"e\tf"'), text(0, 'g')]],
    ['function-call arguments and reasoning summaries stream as pieces too', () => [
      created(),
      event('response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }),
      event('response.reasoning_summary_part.added', { item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } }),
      event('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'think' }),
      event('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: ' more' }),
      event('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 1, delta: 'next part' }),
      event('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, summary_index: 1, delta: ' again' }),
      event('response.output_item.done', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'think more' }, { type: 'summary_text', text: 'next part again' }] } }),
      event('response.output_item.added', { output_index: 1, item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '' } }),
      event('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: '{"a":' }),
      event('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: '1}' }),
      event('response.output_item.done', { output_index: 1, item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}' } }),
      event('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: 'after done' }),
      completed(),
    ]],
  ]
  for (const [name, build] of cases) {
    test(name, async () => {
      const lines = build()
      const events = await responsesCases.decode(lines)
      expect(events).toEqual(await responsesCases.parsedInFull(lines))
      expect(events.length).toBeGreaterThan(3)
    })
  }
})

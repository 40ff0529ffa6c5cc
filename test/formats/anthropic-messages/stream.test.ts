import { describe, expect, test } from 'bun:test'
import { accumulateEvents } from '../../../src/core/accumulate'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { StreamEvent } from '../../../src/core/ir'
import { type SseEvent, toTransformStream } from '../../../src/core/sse'
import { decodeStream } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { checkAnthropicStream } from '../../helpers/anthropic-invariants'
import { arrayStream, collect, listChunkFixtures, readJsonFixture, splitAnthropicMessages, streamOf, summarize, toSseText } from '../../helpers/fixtures'

const encoder = new TextEncoder()
const context = { clock: fixedClock(1_700_000_000_000), ids: sequentialIds() }
const fixtures = splitAnthropicMessages(listChunkFixtures(['anthropic']))

async function decodeLines(lines: string[]): Promise<StreamEvent[]> {
  return collect(decodeStream(streamOf(encoder.encode(toSseText(lines, { named: true })), [113]), anthropicMessages))
}

/** An independent, naive reading of the raw events. */
function readEventsNaively(lines: string[]) {
  let text = ''
  let thinking = ''
  let signature = ''
  let stopReason: string | undefined
  const usage: Record<string, number> = {}
  const blocks = new Map<number, any>()
  for (const line of lines) {
    const event = JSON.parse(line)
    if (event.type === 'message_start' && !usage.seen) Object.assign(usage, event.message.usage, { seen: 1 })
    if (event.type === 'content_block_start') blocks.set(event.index, { ...event.content_block, json: '' })
    if (event.type === 'content_block_delta') {
      text += event.delta.text ?? ''
      thinking += event.delta.thinking ?? ''
      signature += event.delta.signature ?? ''
      if (event.delta.partial_json !== undefined) blocks.get(event.index).json += event.delta.partial_json
    }
    if (event.type === 'message_delta') {
      stopReason = event.delta.stop_reason
      for (const [key, value] of Object.entries(event.usage ?? {})) if (typeof value === 'number') usage[key] = value
    }
  }
  const toolCalls = [...blocks.values()].filter((block) => block.type === 'tool_use')
    .map((block) => ({ id: block.id, name: block.name, arguments: block.json === '' ? block.input : JSON.parse(block.json) }))
  const input = (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0)
  return { text, thinking, signature, stopReason, toolCalls, usage: { inputTokens: input, outputTokens: usage.output_tokens ?? 0, cacheReadTokens: usage.cache_read_input_tokens ?? 0, cacheWriteTokens: usage.cache_creation_input_tokens ?? 0 } }
}

describe('anthropic stream decoder: recorded fixtures', () => {
  test.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', async (_, fixture) => {
    const events = await decodeLines(fixture.lines)
    expect(events[0].type).toBe('message-start')
    expect(events.at(-1)).toEqual({ type: 'message-end' })
    const response = accumulateEvents(events)
    const naive = readEventsNaively(fixture.lines)
    const summary = summarize(response)
    expect(summary.text).toBe(naive.text)
    expect(summary.reasoning).toBe(naive.thinking)
    expect(response.content.filter((part) => part.type === 'reasoning').map((part) => part.signature ?? '').join('')).toBe(naive.signature)
    expect(summary.toolCalls).toEqual(naive.toolCalls)
    expect(response.rawFinishReason).toBe(naive.stopReason)
    expect(summary.usage).toEqual(naive.usage)
    // every block of the upstream is kept, in order: known ones as parts, server-tool ones as raw parts
    const blockCount = fixture.lines.filter((line) => JSON.parse(line).type === 'content_block_start').length
    expect(response.content).toHaveLength(blockCount)
    // the recorded upstream stream itself satisfies the checker the encoder is held to
    const upstream = fixture.lines.map((line) => ({ event: JSON.parse(line).type, data: line }))
    if (fixture.name !== 'duplicate-message-start') expect(checkAnthropicStream(upstream)).toEqual([])
    const body = readJsonFixture('anthropic', fixture.name)
    if (body) {
      const other = anthropicMessages.response.decode(body)
      expect([...new Set(other.content.map((part) => part.type))].sort()).toEqual([...new Set(response.content.map((part) => part.type))].sort())
      expect(other.finishReason).toBe(response.finishReason)
    }
  })

  test('thinking keeps its signature and origin', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'anthropic-clear-thinking.1')
    const response = accumulateEvents(await decodeLines(fixture.lines))
    expect(response.content[0]).toMatchObject({ type: 'reasoning', origin: 'anthropic-messages', signature: expect.stringMatching(/^EvQB/) })
    expect(response.content[1]).toEqual({ type: 'text', text: '925 ÷ 5 = 185' })
  })

  test('tool call with no arguments', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'anthropic-tool-no-args')
    const response = accumulateEvents(await decodeLines(fixture.lines))
    expect(response.content[1]).toEqual({ type: 'tool-call', id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: '' })
    expect(response.finishReason).toBe('tool-calls')
    expect(response.usage).toEqual({ inputTokens: 565, outputTokens: 48, cacheReadTokens: 0, cacheWriteTokens: 0 })
  })

  test('a repeated message_start is ignored', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'duplicate-message-start')
    const events = await decodeLines(fixture.lines)
    expect(events.filter((event) => event.type === 'message-start')).toHaveLength(1)
  })

  test('in-band error event', async () => {
    const events = await collect(arrayStream<SseEvent>([
      { event: 'message_start', data: '{"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1,"output_tokens":0}}}' },
      { event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' },
    ]).pipeThrough(toTransformStream(anthropicMessages.stream.decoder())))
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } })
  })

  test('truncated stream is an error', async () => {
    const [fixture] = fixtures.filter((item) => item.name === 'anthropic-text')
    const events = await decodeLines(fixture.lines.slice(0, 5))
    expect(events.at(-1)?.type).toBe('error')
  })
})

describe('anthropic stream encoder', () => {
  const encode = async (events: StreamEvent[]) =>
    (await collect(arrayStream(events).pipeThrough(toTransformStream(anthropicMessages.stream.encoder({ ...context, ids: sequentialIds() }))))) as SseEvent[]
  const types = (output: SseEvent[]) => output.map((event) => event.event)

  test('interleaved parallel tool calls come out as whole, contiguous blocks', async () => {
    const output = await encode([
      { type: 'message-start', id: 'c1', model: 'gpt' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, text: 'Let me look.' },
      { type: 'tool-call-start', index: 1, id: 'a', name: 'f' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"x"' },
      { type: 'tool-call-start', index: 2, id: 'b', name: 'g' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{}' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: ':1}' },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'tool-call-end', index: 2 },
      { type: 'finish', finishReason: 'stop', rawReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 5 } },
      { type: 'message-end' },
    ])
    expect(checkAnthropicStream(output)).toEqual([])
    const payloads = output.map((event) => JSON.parse(event.data))
    const starts = payloads.filter((payload) => payload.type === 'content_block_start')
    expect(starts.map((payload) => [payload.index, payload.content_block.type, payload.content_block.id])).toEqual([
      [0, 'text', undefined], [1, 'tool_use', 'a'], [2, 'tool_use', 'b'],
    ])
    const json = (index: number) => payloads.filter((payload) => payload.index === index && payload.delta?.type === 'input_json_delta').map((payload) => payload.delta.partial_json).join('')
    expect([json(1), json(2)]).toEqual(['{"x":1}', '{}'])
    expect(payloads.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 12, output_tokens: 5 },
    })
    expect(types(output).at(-1)).toBe('message_stop')
  })

  test('reasoning from another format is shown without a signature; one from Anthropic keeps it', async () => {
    const output = await encode([
      { type: 'message-start', id: 'm', model: 'x' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, text: 'a' },
      { type: 'reasoning-signature', index: 0, signature: 'gemini-signature' },
      { type: 'reasoning-end', index: 0 },
      { type: 'reasoning-start', index: 1, origin: 'anthropic-messages' },
      { type: 'reasoning-delta', index: 1, text: 'b' },
      { type: 'reasoning-signature', index: 1, signature: 'sig' },
      { type: 'reasoning-end', index: 1 },
      { type: 'reasoning-start', index: 2, origin: 'anthropic-messages', redactedData: 'opaque' },
      { type: 'reasoning-end', index: 2 },
      { type: 'finish', finishReason: 'stop' },
      { type: 'message-end' },
    ])
    expect(checkAnthropicStream(output)).toEqual([])
    const deltas = output.map((event) => JSON.parse(event.data)).filter((payload) => payload.type === 'content_block_delta' || payload.type === 'content_block_start')
    expect(deltas.map((payload) => payload.delta ?? payload.content_block)).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'thinking_delta', thinking: 'a' },
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'thinking_delta', thinking: 'b' },
      { type: 'signature_delta', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
    ])
  })

  test('an error mid-stream is an event: error, and nothing follows', async () => {
    const output = await encode([
      { type: 'message-start', id: 'm', model: 'x' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, text: 'a' },
      { type: 'error', error: { status: 429, kind: 'rate_limit', message: 'slow down' } },
      { type: 'message-end' },
    ])
    expect(output.at(-1)).toEqual({ event: 'error', data: '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}' })
    expect(checkAnthropicStream(output)).toEqual([])
  })

  test('stream cut before message-end ends with an in-band error', async () => {
    const output = await encode([{ type: 'message-start', id: 'm', model: 'x' }])
    expect(output.at(-1)?.event).toBe('error')
  })
})

describe('anthropic invariant checker catches broken streams', () => {
  const line = (payload: Record<string, unknown>) => ({ event: String(payload.type), data: JSON.stringify(payload) })
  const start = line({ type: 'message_start', message: { id: 'm', role: 'assistant', content: [], usage: { input_tokens: 1, output_tokens: 0 } } })
  const end = [line({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }), line({ type: 'message_stop' })]
  test.each([
    ['two message_start', [start, start, ...end]],
    ['index gap', [start, line({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }), line({ type: 'content_block_stop', index: 1 }), ...end]],
    ['block never stopped', [start, line({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }), ...end]],
    ['tool used but end_turn', [start, line({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'n', input: {} } }), line({ type: 'content_block_stop', index: 0 }), ...end]],
    ['missing event line', [{ data: start.data }, ...end]],
    ['no message_stop', [start, end[0]]],
    ['usage missing', [line({ type: 'message_start', message: { id: 'm', role: 'assistant', content: [] } }), ...end]],
  ] as Array<[string, SseEvent[]]>)('%s', (_, events) => {
    expect(checkAnthropicStream(events).length).toBeGreaterThan(0)
  })
})

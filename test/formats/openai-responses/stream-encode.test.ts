import { describe, expect, test } from 'bun:test'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { StreamEvent } from '../../../src/core/ir'
import { createSseEncoderStream, type SseEvent, toTransformStream } from '../../../src/core/sse'
import { decodeStream, translateStream } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { openaiChat } from '../../../src/formats/openai-chat'
import { openaiResponsesFormat } from '../../../src/formats/openai-responses'
import type { WireFormat } from '../../../src/formats/types'
import { arrayStream, collect, listChunkFixtures, readText, splitAnthropicMessages, streamOf, summarize, toSseText } from '../../helpers/fixtures'
import { checkResponsesStream } from '../../helpers/responses-invariants'
import { accumulate, decodeText, project, responsesFixtures } from './helpers'

const format = openaiResponsesFormat
const encoder = new TextEncoder()
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })

async function encode(events: StreamEvent[]): Promise<SseEvent[]> {
  return (await collect(arrayStream(events).pipeThrough(toTransformStream(format.stream.encoder(context()))))) as SseEvent[]
}

async function toText(events: SseEvent[]): Promise<string> {
  return new TextDecoder().decode(Buffer.concat(await collect(arrayStream(events).pipeThrough(createSseEncoderStream()))))
}

describe('openai-responses stream encoder', () => {
  test('reasoning, text and a tool call: the full event sequence', async () => {
    const output = await encode([
      { type: 'message-start', id: 'msg_01', model: 'claude-x', usage: { inputTokens: 10, cacheReadTokens: 4 } },
      { type: 'reasoning-start', index: 0, origin: 'anthropic-messages' },
      { type: 'reasoning-delta', index: 0, text: 'hmm' },
      { type: 'reasoning-signature', index: 0, signature: 'sig' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: 'Hi' },
      { type: 'text-end', index: 1 },
      { type: 'tool-call-start', index: 2, id: 'toolu_1', name: 'read' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{"a":1}' },
      { type: 'tool-call-end', index: 2 },
      { type: 'usage', usage: { outputTokens: 7 } },
      { type: 'finish', finishReason: 'tool-calls', rawReason: 'tool_use' },
      { type: 'message-end' },
    ])
    expect(checkResponsesStream(output)).toEqual([])
    expect(output.map((event) => event.event)).toEqual([
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.reasoning_summary_part.added', 'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done',
      'response.content_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.done', 'response.output_item.done',
      'response.completed',
    ])
    const completed = JSON.parse(output.at(-1)!.data)
    expect(completed).toEqual({
      type: 'response.completed',
      sequence_number: 18,
      response: {
        id: 'resp_msg_01', object: 'response', created_at: 1_700_000_000, status: 'completed', error: null, incomplete_details: null, model: 'claude-x',
        output: [
          { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'hmm' }] },
          { id: 'msg_2', type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hi' }], role: 'assistant' },
          { id: 'fc_3', type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'toolu_1', name: 'read' },
        ],
        usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 },
      },
    })
    expect(JSON.parse(output[0].data).response).toMatchObject({ id: 'resp_msg_01', status: 'in_progress', output: [], usage: null })
  })

  test('encrypted content is written only for reasoning that came from a Responses upstream', async () => {
    const run = async (origin: 'openai-responses' | 'anthropic-messages') => {
      const output = await encode([
        { type: 'message-start', id: 'resp_9', model: 'gpt-5' },
        { type: 'reasoning-start', index: 0, id: 'rs_real', origin },
        { type: 'reasoning-end', index: 0, encrypted: 'gAAAA-opaque' },
        { type: 'finish', finishReason: 'stop' },
        { type: 'message-end' },
      ])
      expect(checkResponsesStream(output)).toEqual([])
      return JSON.parse(output.at(-1)!.data).response.output[0]
    }
    expect(await run('openai-responses')).toEqual({ id: 'rs_real', type: 'reasoning', summary: [], encrypted_content: 'gAAAA-opaque' })
    expect(await run('anthropic-messages')).toEqual({ id: 'rs_1', type: 'reasoning', summary: [] })
  })

  test('length and content-filter still end with response.completed, status incomplete', async () => {
    for (const [finishReason, reason] of [['length', 'max_output_tokens'], ['content-filter', 'content_filter']] as const) {
      const output = await encode([
        { type: 'message-start', id: 'x', model: 'm' },
        { type: 'text-start', index: 0 },
        { type: 'text-delta', index: 0, text: 'cut' },
        { type: 'finish', finishReason },
        { type: 'message-end' },
      ])
      expect(checkResponsesStream(output)).toEqual([])
      const last = JSON.parse(output.at(-1)!.data)
      expect(last.type).toBe('response.completed')
      expect(last.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason } })
      const again = accumulate(await decodeText(await toText(output)))
      expect(again.finishReason).toBe(finishReason)
    }
  })

  test('a tool call without arguments gets "{}"; deltas for unknown blocks are dropped', async () => {
    const output = await encode([
      { type: 'message-start', id: 'x', model: 'm' },
      { type: 'text-delta', index: 7, text: 'orphan' },
      { type: 'tool-call-delta', index: 8, argumentsDelta: '{}' },
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'ping' },
      { type: 'tool-call-end', index: 0 },
      { type: 'message-end' },
    ])
    expect(checkResponsesStream(output)).toEqual([])
    expect(JSON.parse(output.at(-1)!.data).response.output).toEqual([
      { id: 'fc_1', type: 'function_call', status: 'completed', arguments: '{}', call_id: 'call_1', name: 'ping' },
    ])
  })

  test('interleaved parallel tool calls keep their own output_index', async () => {
    const output = await encode([
      { type: 'message-start', id: 'x', model: 'm' },
      { type: 'tool-call-start', index: 0, id: 'a', name: 'f' },
      { type: 'tool-call-start', index: 1, id: 'b', name: 'g' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'message-end' },
    ])
    expect(checkResponsesStream(output)).toEqual([])
    expect(accumulate(await decodeText(await toText(output))).content).toEqual([
      { type: 'tool-call', id: 'a', name: 'f', arguments: '{"x":1}' },
      { type: 'tool-call', id: 'b', name: 'g', arguments: '{}' },
    ])
  })

  test('an error becomes `error` then `response.failed`, as OpenAI sends it', async () => {
    const output = await encode([
      { type: 'message-start', id: 'resp_1', model: 'm' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, text: 'part' },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
      { type: 'message-end' },
    ])
    expect(checkResponsesStream(output)).toEqual([])
    expect(output.slice(-2).map((event) => JSON.parse(event.data))).toEqual([
      { type: 'error', sequence_number: 5, code: 'server_is_overloaded', message: 'Overloaded', param: null },
      {
        type: 'response.failed',
        sequence_number: 6,
        response: expect.objectContaining({ id: 'resp_1', status: 'failed', error: { code: 'server_is_overloaded', message: 'Overloaded' }, output: [] }),
      },
    ])
    const events = await decodeText(await toText(output))
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 529, kind: 'overloaded', code: 'server_is_overloaded', message: 'Overloaded' } })
  })

  test('a stream that stops without message-end fails in-band', async () => {
    const output = await encode([{ type: 'message-start', id: 'x', model: 'm' }, { type: 'text-start', index: 0 }])
    expect(checkResponsesStream(output)).toEqual([])
    expect(JSON.parse(output.at(-2)!.data).message).toContain('ended before')
  })

  test('the checker catches broken streams', () => {
    const event = (payload: Record<string, unknown>, sequence: number): SseEvent => ({ event: String(payload.type), data: JSON.stringify({ ...payload, sequence_number: sequence }) })
    const response = { id: 'resp_1', object: 'response', status: 'in_progress', output: [] }
    const broken = [
      event({ type: 'response.created', response }, 0),
      event({ type: 'response.output_item.added', output_index: 1, item: { id: 'm', type: 'message', content: [] } }, 1),
      event({ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'x' }, 3),
      event({ type: 'response.completed', response: { ...response, id: 'resp_2', status: 'completed', output: [] } }, 4),
    ]
    expect(checkResponsesStream(broken)).toEqual([
      'event 1 (response.output_item.added): output_index 1, expected 0',
      'event 2 (response.output_text.delta): sequence_number 3, expected 2',
      'event 2 (response.output_text.delta): unknown content_index 0',
      'event 3 (response.completed): sequence_number 4, expected 3',
      'event 3 (response.completed): response id resp_2, expected resp_1',
      'event 3 (response.completed): item 0 (message) was added but never done',
      'event 3 (response.completed): output has 0 items, 1 were streamed',
      'event 3 (response.completed): usage missing',
    ])
  })
})

interface Case {
  name: string
  source: WireFormat
  text: string
}

const crossCases: Case[] = [
  ...splitAnthropicMessages(listChunkFixtures(['anthropic'])).map((fixture) => ({ name: `anthropic/${fixture.name}`, source: anthropicMessages, text: toSseText(fixture.lines, { named: true }) })),
  ...listChunkFixtures(['openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba']).map((fixture) => ({
    name: `${fixture.folder}/${fixture.name}`, source: openaiChat, text: toSseText(fixture.lines, { done: true }),
  })),
  { name: 'openai-compatible/anthropic-fallback-tool-call.sse', source: openaiChat, text: readText('openai-compatible', 'anthropic-fallback-tool-call.sse') },
]

async function decodeWith(text: string, source: WireFormat) {
  return collect(decodeStream(streamOf(encoder.encode(text), [211]), source))
}

describe('other formats → Responses client stream', () => {
  test.each(crossCases.map((item) => [item.name, item] as const))('%s', async (_, item) => {
    const events = await decodeWith(item.text, item.source)
    const output = (await collect(arrayStream(events).pipeThrough(toTransformStream(format.stream.encoder(context()))))) as SseEvent[]
    expect(checkResponsesStream(output)).toEqual([])
    const again = await decodeText(await toText(output), [173])
    if (events.at(-1)?.type === 'error') {
      expect(again.at(-1)).toEqual(events.at(-1)!)
      return
    }
    const original = accumulate(events)
    const translated = accumulate(again)
    const fields = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'reasoningTokens'] as const
    const want = summarize(original, [...fields])
    // Responses has no "other"/"error" status: they read back as a plain completion
    if (want.finishReason === 'other' || want.finishReason === 'error') want.finishReason = want.toolCalls.length > 0 ? 'tool-calls' : 'stop'
    expect(summarize(translated, [...fields])).toEqual(want)
    // every block keeps its kind, order and text (reasoning blocks included)
    expect(translated.content.map((part) => part.type)).toEqual(original.content.filter((part) => part.type !== 'raw').map((part) => part.type))
  })
})

describe('Responses upstream → IR → Responses client (not passthrough)', () => {
  test.each(responsesFixtures.map((fixture) => [fixture.name, fixture] as const))('%s', async (_, fixture) => {
    const events = await decodeText(toSseText(fixture.lines, { named: true }))
    const output = (await collect(arrayStream(events).pipeThrough(toTransformStream(format.stream.encoder(context()))))) as SseEvent[]
    expect(checkResponsesStream(output)).toEqual([])
    const again = await decodeText(await toText(output))
    if (events.at(-1)?.type === 'error') return expect(again.at(-1)).toEqual(events.at(-1)!)
    // ids, raw hosted-tool items and encrypted reasoning survive the trip
    expect(project(accumulate(again))).toEqual(project(accumulate(events)))
    expect(accumulate(again).id).toBe(accumulate(events).id)
  })
})

describe('performance', () => {
  // Budget: ≤ 5 µs per streamed chunk (decode + encode through the IR, bytes to bytes)
  test('translation cost per chunk, both directions', async () => {
    const inputs = [
      ...responsesFixtures.map((fixture) => ({ from: format, to: openaiChat, count: fixture.lines.length, bytes: encoder.encode(toSseText(fixture.lines, { named: true })) })),
      ...crossCases.map((item) => ({ from: item.source, to: format, count: item.text.split('\n\n').length - 1, bytes: encoder.encode(item.text) })),
    ]
    const run = async () => {
      for (const input of inputs) await collect(translateStream(streamOf(input.bytes, [4096]), input.from, input.to, context()))
    }
    await run()
    const chunks = inputs.reduce((sum, input) => sum + input.count, 0)
    const started = performance.now()
    for (let round = 0; round < 5; round++) await run()
    const microsecondsPerChunk = ((performance.now() - started) * 1000) / (chunks * 5)
    console.log(`openai-responses translation: ${microsecondsPerChunk.toFixed(2)} µs per chunk over ${chunks} chunks`)
    expect(microsecondsPerChunk).toBeLessThan(25) // generous for slow CI; the target is 5
  })
})

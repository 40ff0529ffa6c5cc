import { describe, expect, test } from 'bun:test'
import { accumulateEvents } from '../../../src/core/accumulate'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { StreamEvent } from '../../../src/core/ir'
import { type SseEvent, toTransformStream } from '../../../src/core/sse'
import { decodeStream } from '../../../src/core/translate'
import { openaiChat } from '../../../src/formats/openai-chat'
import { arrayStream, collect, listChunkFixtures, readJsonFixture, readText, streamOf, summarize, toSseText } from '../../helpers/fixtures'

const encoder = new TextEncoder()
const context = { clock: fixedClock(1_700_000_000_000), ids: sequentialIds() }
const folders = ['openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba']

async function decodeText(text: string): Promise<StreamEvent[]> {
  return collect(decodeStream(streamOf(encoder.encode(text), [97]), openaiChat))
}

async function decodeData(payloads: unknown[]): Promise<StreamEvent[]> {
  return collect(arrayStream(payloads.map((payload) => ({ data: typeof payload === 'string' ? payload : JSON.stringify(payload) }))).pipeThrough(toTransformStream(openaiChat.stream.decoder())))
}

/** An independent, naive reading of the raw chunks: what the decoder must agree with. */
function readChunksNaively(lines: string[]) {
  let text = ''
  let reasoning = ''
  let finish: string | undefined
  let usage: any
  const calls = new Map<number, { id: string; name: string; arguments: string }>()
  for (const line of lines) {
    const chunk = JSON.parse(line)
    if (chunk.usage) usage = chunk.usage
    for (const choice of chunk.choices ?? []) {
      text += choice.delta?.content ?? ''
      reasoning += choice.delta?.reasoning_content ?? choice.delta?.reasoning ?? ''
      for (const call of choice.delta?.tool_calls ?? []) {
        const entry = calls.get(call.index) ?? { id: call.id, name: call.function?.name, arguments: '' }
        entry.arguments += call.function?.arguments ?? ''
        calls.set(call.index, entry)
      }
      finish = choice.finish_reason ?? finish
    }
  }
  return { text, reasoning, finish, usage, calls: [...calls.values()] }
}

describe('openai-chat stream decoder: recorded fixtures', () => {
  const fixtures = listChunkFixtures(folders)
  test.each(fixtures.map((fixture) => [`${fixture.folder}/${fixture.name}`, fixture] as const))('%s', async (_, fixture) => {
    const events = await decodeText(toSseText(fixture.lines, { done: true }))
    expect(events[0].type).toBe('message-start')
    expect(events[events.length - 1]).toEqual({ type: 'message-end' })
    const response = accumulateEvents(events)
    const naive = readChunksNaively(fixture.lines)
    const summary = summarize(response, ['inputTokens', 'outputTokens', 'cacheReadTokens', 'reasoningTokens'])
    expect(summary.text).toBe(naive.text)
    expect(summary.reasoning).toBe(naive.reasoning)
    expect(response.content.filter((part) => part.type === 'tool-call').map((part) => ({ id: part.id, name: part.name, arguments: part.arguments })))
      .toEqual(naive.calls)
    expect(response.rawFinishReason).toBe(naive.finish)
    expect(summary.usage).toEqual({
      inputTokens: naive.usage?.prompt_tokens ?? 0,
      outputTokens: naive.usage?.completion_tokens ?? 0,
      cacheReadTokens: naive.usage?.prompt_tokens_details?.cached_tokens ?? naive.usage?.prompt_cache_hit_tokens ?? 0,
      reasoningTokens: naive.usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    })
    // the same stream without a [DONE] line decodes to the same events
    expect(await decodeText(toSseText(fixture.lines))).toEqual(events)
    // the recorded non-stream body of the same scenario has the same kinds of content and finish
    const body = readJsonFixture(fixture.folder, fixture.name)
    if (body) {
      const other = openaiChat.response.decode(body)
      expect(other.model).toBe(response.model)
      expect(other.finishReason).toBe(response.finishReason)
      expect([...new Set(other.content.map((part) => part.type))].sort()).toEqual([...new Set(response.content.map((part) => part.type))].sort())
      expect(other.content.filter((part) => part.type === 'tool-call').map((part) => part.name))
        .toEqual(response.content.filter((part) => part.type === 'tool-call').map((part) => part.name))
      expect(Object.keys(other.usage ?? {}).sort()).toEqual(Object.keys(response.usage ?? {}).sort())
    }
  })

  test('deepseek reasoning: reasoning, text and cache/reasoning usage', async () => {
    const [fixture] = listChunkFixtures(['deepseek']).filter((item) => item.name === 'deepseek-reasoning')
    const response = accumulateEvents(await decodeText(toSseText(fixture.lines, { done: true })))
    expect(response.content.map((part) => part.type)).toEqual(['reasoning', 'text'])
    expect(response.usage).toEqual({ inputTokens: 18, outputTokens: 219, cacheReadTokens: 0, reasoningTokens: 205 })
    expect(response.finishReason).toBe('stop')
  })

  test('groq tool call and its usage', async () => {
    const [fixture] = listChunkFixtures(['groq']).filter((item) => item.name === 'groq-tool-call')
    const response = accumulateEvents(await decodeText(toSseText(fixture.lines, { done: true })))
    expect(response.content).toEqual([{ type: 'tool-call', id: 'tk85n1k4m', name: 'weather', arguments: '{}' }])
    expect(response.finishReason).toBe('tool-calls')
    expect(response.usage).toEqual({ inputTokens: 210, outputTokens: 15 })
  })

  test('tool call starting at index 1 with arguments over several chunks (raw .sse fixture)', async () => {
    const response = accumulateEvents(await decodeText(readText('openai-compatible', 'anthropic-fallback-tool-call.sse')))
    expect(response.content).toEqual([
      { type: 'text', text: 'Reading it.' },
      { type: 'tool-call', id: 'toolu_sanitized', name: 'read_file', arguments: '{"path": "a.txt"}' },
    ])
    expect(response.finishReason).toBe('tool-calls')
    expect(response.usage).toBeUndefined()
  })

  test('parallel tool calls interleaved by index', async () => {
    const base = { id: 'c1', model: 'm', created: 1 }
    const events = await decodeData([
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{"x"' } }, { index: 1, id: 'b', function: { name: 'g', arguments: '' } }] } }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '{}' } }] } }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }] },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      '[DONE]',
    ])
    const response = accumulateEvents(events)
    expect(response.content).toEqual([
      { type: 'tool-call', id: 'a', name: 'f', arguments: '{"x":1}' },
      { type: 'tool-call', id: 'b', name: 'g', arguments: '{}' },
    ])
  })

  test('in-band error becomes a terminal error event', async () => {
    const events = await decodeData([
      { id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'hi' } }] },
      { error: { message: 'overloaded', type: 'server_error', code: 'overloaded' } },
      { id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'ignored' } }] },
    ])
    expect(events.at(-1)).toEqual({ type: 'error', error: { status: 502, kind: 'upstream', message: 'overloaded', code: 'overloaded' } })
    expect(events.filter((event) => event.type === 'error')).toHaveLength(1)
    expect(() => accumulateEvents(events)).toThrow('overloaded')
  })

  test('empty and truncated streams are errors, never a silent success', async () => {
    expect((await decodeData([])).map((event) => event.type)).toEqual(['error'])
    const truncated = await decodeData([{ id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'hi' } }] }])
    expect(truncated.at(-1)?.type).toBe('error')
  })

  test('azure prompt-filter chunk before the message is skipped', async () => {
    const [fixture] = listChunkFixtures(['openai-chat']).filter((item) => item.name === 'azure-model-router.1')
    const events = await decodeText(toSseText(fixture.lines, { done: true }))
    expect(events[0]).toEqual({ type: 'message-start', id: 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt', model: 'gpt-5-nano-2025-08-07', created: 1762317021 })
  })
})

describe('openai-chat stream encoder', () => {
  const encode = async (events: StreamEvent[]) =>
    (await collect(arrayStream(events).pipeThrough(toTransformStream(openaiChat.stream.encoder({ ...context, ids: sequentialIds() }))))) as SseEvent[]

  test('chunks, tool indices from 0, usage on the finish chunk, [DONE] last', async () => {
    const output = await encode([
      { type: 'message-start', id: 'msg_1', model: 'claude', usage: { inputTokens: 10 } },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, text: 'hmm' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: 'Hi' },
      { type: 'text-end', index: 1 },
      { type: 'tool-call-start', index: 5, id: 'toolu_1', name: 'read' },
      { type: 'tool-call-delta', index: 5, argumentsDelta: '{"a":1}' },
      { type: 'tool-call-end', index: 5 },
      { type: 'finish', finishReason: 'tool-calls', rawReason: 'tool_use' },
      { type: 'usage', usage: { outputTokens: 7, cacheReadTokens: 3 } },
      { type: 'message-end' },
    ])
    expect(output.at(-1)).toEqual({ data: '[DONE]' })
    const chunks = output.slice(0, -1).map((event) => JSON.parse(event.data))
    expect(chunks.map((chunk) => chunk.choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: 'hmm' },
      { content: 'Hi' },
      { tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'read', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] },
      {},
    ])
    expect(chunks.at(-1)).toEqual({
      id: 'msg_1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'claude',
      choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17, prompt_tokens_details: { cached_tokens: 3 } },
    })
  })

  test('error event becomes an in-band error and ends the stream', async () => {
    const output = await encode([
      { type: 'message-start', id: 'x', model: 'm' },
      { type: 'error', error: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
      { type: 'message-end' },
    ])
    expect(output.map((event) => JSON.parse(event.data))).toEqual([
      expect.objectContaining({ object: 'chat.completion.chunk' }),
      { error: { message: 'Overloaded', type: 'api_error', param: null, code: null } },
    ])
  })

  test('a stream that stops without message-end gets an in-band error', async () => {
    const output = await encode([{ type: 'message-start', id: 'x', model: 'm' }, { type: 'text-start', index: 0 }])
    expect(JSON.parse(output.at(-1)!.data).error.message).toContain('ended before')
  })
})

import { describe, expect, test } from 'bun:test'
import { accumulateEvents } from '../../../src/core/accumulate'
import { fixedClock, sequentialIds } from '../../../src/core/ids'
import type { ChatResponse, StreamEvent } from '../../../src/core/ir'
import { createNdjsonEncoderStream, type SseEvent, toTransformStream } from '../../../src/core/sse'
import { decodeStream, encodeStream, translateStream } from '../../../src/core/translate'
import { anthropicMessages } from '../../../src/formats/anthropic-messages'
import { openaiChat } from '../../../src/formats/openai-chat'
import { ollamaFormat } from '../../../src/formats/ollama'
import type { WireFormat } from '../../../src/formats/types'
import { arrayStream, collect, listChunkFixtures, readText, seededRandom, splitAnthropicMessages, streamOf, toSseText } from '../../helpers/fixtures'
import { lengthStream, thinkingStream, toolStream } from './fixtures'

const format = ollamaFormat
const encoder = new TextEncoder()
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })
const ndjson = (lines: unknown[]) => lines.map((line) => JSON.stringify(line)).join('\n') + '\n'

async function decodeText(text: string, sizes: number[] = [61]): Promise<StreamEvent[]> {
  return collect(decodeStream(streamOf(encoder.encode(text), sizes), format))
}

async function encode(events: StreamEvent[]): Promise<SseEvent[]> {
  return (await collect(arrayStream(events).pipeThrough(toTransformStream(format.stream.encoder(context()))))) as SseEvent[]
}

/**
 * What an Ollama round trip must keep: tool call ids are Ollama's own (`call_<n>`), so only names
 * and arguments; Ollama has no block boundaries, so adjacent text (or thinking) blocks read back as one.
 */
function summarize(response: ChatResponse) {
  const content: Array<{ type: string; text?: string; name?: string; arguments?: unknown }> = []
  for (const part of response.content) {
    if (part.type === 'text' || part.type === 'reasoning') {
      const last = content[content.length - 1]
      if (last?.type === part.type) last.text += part.text
      else if (part.text.length > 0) content.push({ type: part.type, text: part.text })
    } else if (part.type === 'tool-call') {
      content.push({ type: part.type, name: part.name, arguments: part.arguments.trim() === '' ? {} : JSON.parse(part.arguments) })
    }
  }
  return {
    content,
    finishReason: response.finishReason,
    usage: { inputTokens: response.usage?.inputTokens ?? 0, outputTokens: response.usage?.outputTokens ?? 0 },
  }
}

describe('ollama stream decoder', () => {
  test('thinking, then text, then the done line with counts', async () => {
    const events = await decodeText(ndjson(thinkingStream))
    expect(events).toEqual([
      { type: 'message-start', id: '', model: 'qwen3:8b', created: 1748772000 },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, text: 'The user' },
      { type: 'reasoning-delta', index: 0, text: ' greets me.' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: 'Hello' },
      { type: 'text-delta', index: 1, text: '! How can I help? 😊' },
      { type: 'text-end', index: 1 },
      { type: 'usage', usage: { inputTokens: 26, outputTokens: 282 } },
      {
        type: 'finish', finishReason: 'stop', rawReason: 'stop',
        extensions: { ollama: { total_duration: 4883583458, load_duration: 1334875, prompt_eval_duration: 342546000, eval_duration: 4535599000 } },
      },
      { type: 'message-end' },
    ])
  })

  test('tool calls get ids call_0, call_1 and make the finish tool-calls', async () => {
    const response = accumulateEvents(await decodeText(ndjson(toolStream)))
    expect(response.content).toEqual([
      { type: 'tool-call', id: 'call_0', name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' },
      { type: 'tool-call', id: 'call_1', name: 'get_time', arguments: '{}' },
    ])
    expect([response.finishReason, response.rawFinishReason]).toEqual(['tool-calls', 'stop'])
  })

  test('done_reason length', async () => {
    expect(accumulateEvents(await decodeText(ndjson(lengthStream))).finishReason).toBe('length')
  })

  test('every byte offset and seeded random chunkings (multi-byte characters, CRLF) give the same events', async () => {
    for (const lines of [thinkingStream, toolStream, lengthStream]) {
      const text = ndjson(lines)
      const whole = await decodeText(text, [text.length * 4])
      const bytes = encoder.encode(text).length
      for (let offset = 1; offset < bytes; offset++) expect(await decodeText(text, [offset, bytes])).toEqual(whole)
      const random = seededRandom(bytes)
      for (let round = 0; round < 10; round++) {
        const sizes = Array.from({ length: 40 }, () => 1 + Math.floor(random() * 40))
        expect(await decodeText(text, sizes)).toEqual(whole)
        expect(await decodeText(text.replaceAll('\n', '\r\n'), sizes)).toEqual(whole)
      }
    }
  })

  test('an error line is terminal; truncated and empty streams are errors', async () => {
    const failed = await decodeText(ndjson([thinkingStream[2], { error: 'an error was encountered while running the model' }, thinkingStream[3]]))
    expect(failed.at(-1)).toEqual({ type: 'error', error: { status: 502, kind: 'upstream', message: 'an error was encountered while running the model' } })
    expect(failed.filter((event) => event.type === 'error')).toHaveLength(1)
    expect((await decodeText(ndjson(thinkingStream.slice(0, 3)))).at(-1)).toEqual({
      type: 'error', error: { status: 502, kind: 'upstream', message: 'upstream stream ended before the done line' },
    })
    expect((await decodeText('')).map((event) => event.type)).toEqual(['error'])
  })
})

describe('ollama stream encoder', () => {
  test('lines of {model, created_at, message, done}; tool calls whole, arguments as objects; done line last', async () => {
    const output = await encode([
      { type: 'message-start', id: 'msg_1', model: 'claude-x', usage: { inputTokens: 10 } },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, text: 'hmm' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, text: 'Hi "there"' },
      { type: 'text-end', index: 1 },
      { type: 'tool-call-start', index: 2, id: 'toolu_1', name: 'read' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{"path":' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '"a.txt"}' },
      { type: 'tool-call-end', index: 2 },
      { type: 'usage', usage: { outputTokens: 7 } },
      { type: 'finish', finishReason: 'tool-calls', rawReason: 'tool_use' },
      { type: 'message-end' },
    ])
    const at = '2023-11-14T22:13:20.000Z'
    expect(output.map((event) => JSON.parse(event.data))).toEqual([
      { model: 'claude-x', created_at: at, message: { role: 'assistant', content: '', thinking: 'hmm' }, done: false },
      { model: 'claude-x', created_at: at, message: { role: 'assistant', content: 'Hi "there"' }, done: false },
      { model: 'claude-x', created_at: at, message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'read', arguments: { path: 'a.txt' } } }] }, done: false },
      { model: 'claude-x', created_at: at, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 10, eval_count: 7 },
    ])
    expect(output.every((event) => event.event === undefined)).toBe(true)
  })

  test('length → done_reason length; errors and truncation → an {"error"} line', async () => {
    const cut = await encode([{ type: 'message-start', id: 'x', model: 'm' }, { type: 'finish', finishReason: 'length' }, { type: 'message-end' }])
    expect(JSON.parse(cut.at(-1)!.data)).toMatchObject({ done: true, done_reason: 'length' })
    const failed = await encode([
      { type: 'message-start', id: 'x', model: 'm' },
      { type: 'error', error: { status: 429, kind: 'rate_limit', message: 'slow down' } },
      { type: 'message-end' },
    ])
    expect(failed.map((event) => event.data)).toEqual(['{"error":"slow down"}'])
    const truncated = await encode([{ type: 'message-start', id: 'x', model: 'm' }, { type: 'text-start', index: 0 }])
    expect(JSON.parse(truncated.at(-1)!.data).error).toContain('ended before')
  })

  test('NDJSON framing: one JSON object per line, no SSE', async () => {
    const bytes = Buffer.concat(await collect(encodeStream(decodeStream(streamOf(encoder.encode(ndjson(toolStream))), format), format, context()))).toString()
    const lines = bytes.trimEnd().split('\n')
    // one line per tool call, then the done line
    expect(lines.map((line) => JSON.parse(line).done)).toEqual([false, false, true])
    expect(bytes).not.toContain('data:')
  })

  test('Ollama → IR → Ollama keeps the stream', async () => {
    for (const lines of [thinkingStream, toolStream, lengthStream]) {
      const events = await decodeText(ndjson(lines))
      const output = await encode(events)
      const again = accumulateEvents(await decodeText(output.map((event) => event.data).join('\n') + '\n'))
      expect(again.content).toEqual(accumulateEvents(events).content)
      expect(again.usage).toEqual(accumulateEvents(events).usage)
      // timings reported by an Ollama upstream reach an Ollama client
      expect(JSON.parse(output.at(-1)!.data)).toMatchObject({ done: true, ...lines.at(-1), created_at: expect.any(String), model: lines[0].model })
    }
  })
})

interface Case {
  name: string
  source: WireFormat
  text: string
}

const crossCases: Case[] = [
  ...listChunkFixtures(['openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba']).map((fixture) => ({
    name: `${fixture.folder}/${fixture.name}`, source: openaiChat, text: toSseText(fixture.lines, { done: true }),
  })),
  { name: 'openai-compatible/anthropic-fallback-tool-call.sse', source: openaiChat, text: readText('openai-compatible', 'anthropic-fallback-tool-call.sse') },
  ...splitAnthropicMessages(listChunkFixtures(['anthropic'])).map((fixture) => ({ name: `anthropic/${fixture.name}`, source: anthropicMessages, text: toSseText(fixture.lines, { named: true }) })),
]

describe('other formats → Ollama NDJSON client stream → IR', () => {
  test.each(crossCases.map((item) => [item.name, item] as const))('%s', async (_, item) => {
    const events = await collect(decodeStream(streamOf(encoder.encode(item.text), [211]), item.source))
    const bytes = Buffer.concat(await collect(arrayStream(events).pipeThrough(toTransformStream(format.stream.encoder(context()))).pipeThrough(createNdjsonEncoderStream())))
    const text = new TextDecoder().decode(bytes)
    for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow()
    const again = await decodeText(text, [89])
    if (events.at(-1)?.type === 'error') {
      expect(again.at(-1)).toEqual({ type: 'error', error: { status: 502, kind: 'upstream', message: (events.at(-1) as any).error.message } })
      return
    }
    const original = summarize(accumulateEvents(events))
    // Ollama reports only stop and length
    if (original.finishReason !== 'length') original.finishReason = original.content.some((part) => part.type === 'tool-call') ? 'tool-calls' : 'stop'
    expect(summarize(accumulateEvents(again))).toEqual(original)
  })
})

describe('performance', () => {
  // Budget: ≤ 5 µs per streamed chunk (bytes to bytes through the IR)
  test('translation cost per chunk, both directions', async () => {
    const openai = crossCases.filter((item) => item.source === openaiChat)
    const ollamaText = ndjson([...thinkingStream.slice(0, -1), ...Array.from({ length: 200 }, (_, i) => ({ ...thinkingStream[2], message: { role: 'assistant', content: ` word${i}` } })), thinkingStream.at(-1)])
    const inputs = [
      ...openai.map((item) => ({ from: item.source, to: format, count: item.text.split('\n\n').length - 1, bytes: encoder.encode(item.text) })),
      ...Array.from({ length: 10 }, () => ({ from: format, to: openaiChat, count: 205, bytes: encoder.encode(ollamaText) })),
    ]
    const run = async () => {
      for (const input of inputs) await collect(translateStream(streamOf(input.bytes, [4096]), input.from, input.to, context()))
    }
    await run()
    const chunks = inputs.reduce((sum, input) => sum + input.count, 0)
    const started = performance.now()
    for (let round = 0; round < 5; round++) await run()
    const microsecondsPerChunk = ((performance.now() - started) * 1000) / (chunks * 5)
    console.log(`ollama translation: ${microsecondsPerChunk.toFixed(2)} µs per chunk over ${chunks} chunks`)
    expect(microsecondsPerChunk).toBeLessThan(25) // generous for slow CI; the target is 5
  })
})

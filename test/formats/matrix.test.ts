/**
 * Every recorded stream, decoded and re-encoded into every format with codecs, then decoded again:
 * text, tool calls, reasoning, finish reason and usage must survive; Anthropic output must also
 * satisfy the Claude Code stream contract.
 */
import { describe, expect, test } from 'bun:test'
import { accumulateEvents } from '../../src/core/accumulate'
import { fixedClock, sequentialIds } from '../../src/core/ids'
import type { ChatResponse, StreamEvent } from '../../src/core/ir'
import { createNdjsonEncoderStream, createSseEncoderStream, type SseEvent, toTransformStream } from '../../src/core/sse'
import { decodeStream, translateResponse, translateStream } from '../../src/core/translate'
import { formats } from '../../src/formats'
import type { FormatId, WireFormat } from '../../src/formats/types'
import { checkAnthropicStream } from '../helpers/anthropic-invariants'
import { arrayStream, collect, listChunkFixtures, readJsonFixture, readText, splitAnthropicMessages, streamOf, summarize, toSseText, type ResponseSummary } from '../helpers/fixtures'

const encoder = new TextEncoder()
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })
const targets = Object.values(formats)

interface Case {
  name: string
  source: FormatId
  text: string
}

const cases: Case[] = [
  ...splitAnthropicMessages(listChunkFixtures(['anthropic'])).map((fixture) => ({
    name: `anthropic/${fixture.name}`,
    source: 'anthropic-messages' as const,
    text: toSseText(fixture.lines, { named: true }),
  })),
  ...listChunkFixtures(['openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba']).map((fixture) => ({
    name: `${fixture.folder}/${fixture.name}`,
    source: 'openai-chat' as const,
    text: toSseText(fixture.lines, { done: true }),
  })),
  { name: 'openai-compatible/anthropic-fallback-tool-call.sse', source: 'openai-chat', text: readText('openai-compatible', 'anthropic-fallback-tool-call.sse') },
  ...listChunkFixtures(['openai-responses'])
    // Two responses back to back, and an error stream (no answer to compare), are covered in the format's own tests.
    .filter((fixture) => fixture.name !== 'openai-shell-tool.1' && fixture.name !== 'openai-error.1')
    .map((fixture) => ({
      name: `openai-responses/${fixture.name}`,
      source: 'openai-responses' as const,
      text: toSseText(fixture.lines, { named: true }),
    })),
  ...listChunkFixtures(['gemini']).map((fixture) => ({
    name: `gemini/${fixture.name}`,
    source: 'gemini' as const,
    text: toSseText(fixture.lines, {}),
  })),
]

async function decodeText(text: string, format: WireFormat): Promise<StreamEvent[]> {
  return collect(decodeStream(streamOf(encoder.encode(text), [211]), format))
}

/** What must survive a trip into `target` (reasoning token counts only where the target has a field). */
function expected(response: ChatResponse, target: FormatId): ResponseSummary {
  // Each target keeps the usage fields its wire can carry (Gemini has no cache-write count; OpenAI Chat none either).
  const fields: (keyof import('../../src/core/ir').Usage)[] =
    target === 'openai-chat'
      ? ['inputTokens', 'outputTokens', 'cacheReadTokens', 'reasoningTokens']
      : target === 'gemini'
        ? ['inputTokens', 'outputTokens', 'cacheReadTokens']
        : target === 'ollama'
          ? ['inputTokens', 'outputTokens']
          : ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens']
  const summary = summarize(response, fields)
  // Ollama tool calls carry no ids: they come back numbered, so compare them without.
  if (target === 'ollama') summary.toolCalls = summary.toolCalls.map(({ id: _id, ...call }) => call) as typeof summary.toolCalls
  return summary
}

/** A finish reason as it survives a format with fewer reasons (OpenAI has no error/other). */
function expectedFinish(response: ChatResponse, target: FormatId, source: FormatId): string {
  const reason = response.finishReason
  if (target === source) return reason
  if (reason === 'other' || reason === 'error') return response.content.some((part) => part.type === 'tool-call') ? 'tool-calls' : 'stop'
  // Ollama only reports stop and length.
  if (target === 'ollama' && reason === 'content-filter') return 'stop'
  return reason
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

test.each(targets.map((target) => [target.id, target] as const))('%s writes an in-band error with line breaks in its message as one line of JSON', async (_, target) => {
  const events: StreamEvent[] = [
    { type: 'message-start', id: 'm1', model: 'm' },
    { type: 'text-start', index: 0 },
    { type: 'text-delta', index: 0, text: 'partial\r\nline' },
    { type: 'error', error: { status: 502, kind: 'upstream', message: 'upstream said:\n\ndata: {"injected":true}\r\n' } },
  ]
  const output = (await collect(arrayStream(events).pipeThrough(toTransformStream(target.stream.encoder(context()))))) as SseEvent[]
  expect(output.length).toBeGreaterThan(1)
  expect(output.filter((event) => /[\r\n]/.test(event.data) || (event.data !== '[DONE]' && !isJson(event.data)))).toEqual([])
})

describe.each(targets.map((target) => [target.id, target] as const))('stream → %s', (targetId, target) => {
  test.each(cases.map((item) => [item.name, item] as const))('%s', async (_, item) => {
    const source = formats[item.source]
    const original = accumulateEvents(await decodeText(item.text, source))
    // encode the IR events for the target client and check the framing contract
    const events = await decodeText(item.text, source)
    const output = (await collect(arrayStream(events).pipeThrough(toTransformStream(target.stream.encoder(context()))))) as SseEvent[]
    // every event's data is one line of JSON: the stream translator frames it without looking for line breaks
    expect(output.filter((event) => /[\r\n]/.test(event.data) || (event.data !== '[DONE]' && !isJson(event.data)))).toEqual([])
    if (targetId === 'anthropic-messages') expect(checkAnthropicStream(output)).toEqual([])
    if (targetId === 'openai-chat') expect(output.at(-1)).toEqual({ data: '[DONE]' })
    const framer = target.stream.framing === 'ndjson' ? createNdjsonEncoderStream() : createSseEncoderStream()
    const bytes = Buffer.concat(await collect(arrayStream(output).pipeThrough(framer)))
    const again = accumulateEvents(await decodeText(new TextDecoder().decode(bytes), target))
    const want = expected(original, targetId)
    want.finishReason = expectedFinish(original, targetId, item.source)
    expect(expected(again, targetId)).toEqual(want)
    if (targetId === item.source) {
      // through the IR into its own format: signatures and server-tool blocks survive too
      expect(again.content.map((part) => (part.type === 'reasoning' ? part.signature : undefined)))
        .toEqual(original.content.map((part) => (part.type === 'reasoning' ? part.signature : undefined)))
      expect(again.content.filter((part) => part.type === 'raw')).toEqual(original.content.filter((part) => part.type === 'raw'))
      expect(again.rawFinishReason).toBe(original.rawFinishReason)
    }
    // a streaming upstream answering a non-stream client: accumulate, encode, decode
    const body = target.response.encode(original, context())
    const decodedBody = target.response.decode(JSON.parse(JSON.stringify(body)))
    expect(expected(decodedBody, targetId)).toEqual(want)
  })
})

describe('non-stream bodies across formats', () => {
  const bodies = [
    ...listChunkFixtures(['anthropic']).map((fixture) => ['anthropic-messages', 'anthropic', fixture.name] as const),
    ...['anthropic-refusal-no-details', 'anthropic-memory-20250818.1', 'anthropic-claude-opus-5-reasoning-high.1', 'anthropic-web-fetch-tool.2']
      .map((name) => ['anthropic-messages', 'anthropic', name] as const),
    ...listChunkFixtures(['openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba']).map((fixture) => ['openai-chat', fixture.folder, fixture.name] as const),
    ['openai-chat', 'deepseek', 'deepseek-json'] as const,
    ...['google-text', 'google-tool-call', 'google-reasoning', 'google-reasoning-gemini3'].map((name) => ['gemini', 'gemini', name] as const),
  ]
    .map(([format, folder, name]) => ({ format: format as FormatId, name: `${folder}/${name}`, body: readJsonFixture(folder, name) }))
    .filter((item) => item.body !== undefined)

  test.each(bodies.flatMap((item) => targets.map((target) => [`${item.name} → ${target.id}`, item, target] as const)))('%s', (_, item, target) => {
    const source = formats[item.format]
    const original = source.response.decode(item.body)
    const translated = translateResponse(item.body, source, target, context())
    if (target.id === item.format) expect(translated).toBe(item.body)
    const again = target.response.decode(JSON.parse(JSON.stringify(translated)))
    const want = expected(original, target.id)
    want.finishReason = expectedFinish(original, target.id, item.format)
    expect(expected(again, target.id)).toEqual(want)
    // and the IR re-encoded into its own format keeps everything it modelled
    const roundTrip = source.response.decode(source.response.encode(original, context()))
    expect(roundTrip.content).toEqual(original.content)
    expect(roundTrip.usage).toEqual(original.usage)
  })
})

test('same format streams pass through byte for byte', async () => {
  const body = streamOf(encoder.encode(cases[0].text))
  const source = formats[cases[0].source]
  expect(translateStream(body, source, source, context())).toBe(body)
})

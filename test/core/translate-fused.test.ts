import { describe, expect, test } from 'bun:test'
import { fixedClock, sequentialIds } from '../../src/core/ids'
import type { StreamEvent } from '../../src/core/ir'
import { decodeStream, encodeStream, translateStream, translateStreamWith } from '../../src/core/translate'
import { formats } from '../../src/formats'
import type { FormatId } from '../../src/formats/types'
import { collect, listChunkFixtures, seededRandom, streamOf, toSseText } from '../helpers/fixtures'

const encoder = new TextEncoder()
const context = () => ({ clock: fixedClock(1_700_000_000_000), ids: sequentialIds() })
const folders: Record<string, FormatId> = {
  anthropic: 'anthropic-messages',
  'openai-chat': 'openai-chat',
  'openai-compatible': 'openai-chat',
  deepseek: 'openai-chat',
  groq: 'openai-chat',
  alibaba: 'openai-chat',
  gemini: 'gemini',
  'openai-responses': 'openai-responses',
}
const ids = Object.keys(formats) as FormatId[]

/** Random chunk sizes covering `length` bytes. */
function splits(length: number, seed: number): number[] {
  const random = seededRandom(seed)
  const sizes: number[] = []
  for (let left = length; left > 0; ) {
    const size = Math.min(left, 1 + Math.floor(random() * 97))
    sizes.push(size)
    left -= size
  }
  return sizes
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(Buffer.concat(await collect(stream)))
}

/** The chained reference pipeline (separate TransformStreams per hop). */
function chained(bytes: Uint8Array, sizes: number[], from: FormatId, to: FormatId): ReadableStream<Uint8Array> {
  return encodeStream(decodeStream(streamOf(bytes, sizes), formats[from]), formats[to], context())
}

const sources = listChunkFixtures(Object.keys(folders)).map((fixture, position) => {
  const format = folders[fixture.folder]
  const named = format === 'anthropic-messages' || format === 'openai-responses'
  const bytes = encoder.encode(toSseText(fixture.lines, { named, done: format === 'openai-chat' }))
  return { name: `${fixture.folder}/${fixture.name}`, format, bytes, seed: position + 1 }
})

// Chunks of at most 97 bytes seldom hold two whole deltas of a block, which the fused translator would join.
describe('fused translateStream matches the chained pipeline byte for byte', () => {
  test.each(sources.map((source) => [source.name, source] as const))('%s', async (_, source) => {
    const sizes = splits(source.bytes.length, source.seed)
    for (const to of ids) {
      if (to === source.format) continue
      const expected = await text(chained(source.bytes, sizes, source.format, to))
      expect(await text(translateStream(streamOf(source.bytes, sizes), formats[source.format], formats[to], context()))).toBe(expected)
      // Ollama NDJSON as the source: the reference output for Ollama is fed back in.
      if (to === 'ollama') {
        const ndjson = encoder.encode(expected)
        const ndjsonSizes = splits(ndjson.length, source.seed + 7)
        for (const next of ids) {
          if (next === 'ollama') continue
          const reference = await text(chained(ndjson, ndjsonSizes, 'ollama', next))
          expect(await text(translateStream(streamOf(ndjson, ndjsonSizes), formats.ollama, formats[next], context()))).toBe(reference)
        }
      }
    }
  })
})

describe('fused translation', () => {
  const [fixture] = listChunkFixtures(['groq']).filter((item) => item.name === 'groq-tool-call')
  const bytes = encoder.encode(toSseText(fixture.lines, { done: true }))

  test('one output chunk per input chunk at most', async () => {
    const sizes = splits(bytes.length, 3)
    const out = await collect(translateStream(streamOf(bytes, sizes), formats['openai-chat'], formats['anthropic-messages'], context()))
    expect(out.length).toBeGreaterThan(0)
    expect(out.length).toBeLessThanOrEqual(sizes.length + 1)
  })

  test('the hook sees every IR event; its flush runs before the encoder flush and may add events', async () => {
    const seen: string[] = []
    const truncated = encoder.encode(toSseText(fixture.lines.slice(0, 2)))
    const out = await text(
      translateStreamWith(streamOf(truncated), formats['openai-chat'], formats['anthropic-messages'], context(), {
        transform(event: StreamEvent, emit) {
          seen.push(event.type)
          if (event.type !== 'error') emit(event)
        },
        flush(emit) {
          seen.push('flush')
          emit({ type: 'error', error: { status: 502, kind: 'upstream', message: 'injected' } })
        },
      }),
    )
    expect(seen.slice(-2)).toEqual(['error', 'flush'])
    expect(seen[0]).toBe('message-start')
    expect(out).toContain('injected')
    // the decoder's own error was held back and the injected one ended the stream, so no other error follows
    expect(out).not.toContain('ended before the message finished')
  })

  test('the deltas of a block that arrive in one chunk go out as one, with the same text; chunks apart stay apart', async () => {
    const [text1] = listChunkFixtures(['openai-chat']).filter((item) => item.name === 'openai-text')
    const whole = encoder.encode(toSseText(text1.lines, { done: true }))
    const deltas = (out: string) => out.split('\n\n').filter((event) => event.startsWith('event: content_block_delta'))
    const textOf = (out: string) => deltas(out).map((event) => JSON.parse(event.split('data: ')[1]).delta.text).join('')
    const joined = await text(translateStream(streamOf(whole), formats['openai-chat'], formats['anthropic-messages'], context()))
    const apart = await text(chained(whole, [whole.length], 'openai-chat', 'anthropic-messages'))
    expect(deltas(joined)).toHaveLength(1)
    expect(deltas(apart).length).toBeGreaterThan(100)
    expect(textOf(joined)).toBe(textOf(apart))
    // One event per chunk: nothing to join, every delta goes out when it comes.
    const perEvent = toSseText(text1.lines, { done: true }).split(/(?<=\n\n)/).map((event) => encoder.encode(event).length)
    const streamed = await text(translateStream(streamOf(whole, perEvent), formats['openai-chat'], formats['anthropic-messages'], context()))
    expect(streamed).toBe(apart)
  })

  test('same format through translateStreamWith is still decoded and re-encoded', async () => {
    const out = await text(translateStreamWith(streamOf(bytes), formats['openai-chat'], formats['openai-chat'], context()))
    expect(out).toBe(await text(chained(bytes, [bytes.length], 'openai-chat', 'openai-chat')))
  })
})

import { describe, expect, test } from 'bun:test'
import {
  createLineSplitter,
  createNdjsonDecoderStream,
  createNdjsonEncoderStream,
  createSseDecoderStream,
  createSseEncoderStream,
  createSseParser,
  formatSseEvent,
  type SseEvent,
} from '../../src/core/sse'
import { arrayStream, collect, listChunkFixtures, seededRandom, streamOf, toSseText } from '../helpers/fixtures'

const encoder = new TextEncoder()

/** Decodes the byte chunks through the real stream. */
async function decodeChunks(chunks: Array<string | Uint8Array>): Promise<SseEvent[]> {
  const bytes = chunks.map((chunk) => (typeof chunk === 'string' ? encoder.encode(chunk) : chunk))
  return collect(arrayStream(bytes).pipeThrough(createSseDecoderStream()))
}

/** Same algorithm as the stream, synchronously, for exhaustive split tests. */
function decodeSync(chunks: Uint8Array[]): SseEvent[] {
  const events: SseEvent[] = []
  const decoder = new TextDecoder()
  const parser = createSseParser((event) => events.push(event))
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }))
  parser.feed(decoder.decode())
  parser.end()
  return events
}

describe('line splitter', () => {
  const split = (chunks: string[]) => {
    const lines: string[] = []
    const splitter = createLineSplitter((line) => lines.push(line))
    for (const chunk of chunks) splitter.feed(chunk)
    splitter.end()
    return lines
  }
  test.each([
    ['lf', ['a\nb\n'], ['a', 'b']],
    ['crlf', ['a\r\nb\r\n'], ['a', 'b']],
    ['cr alone', ['a\rb\r'], ['a', 'b']],
    ['crlf split across chunks', ['a\r', '\nb\r', '\n'], ['a', 'b']],
    ['cr then cr', ['a\r', '\rb'], ['a', '', 'b']],
    ['cr at chunk end then text', ['a\r', 'b\n'], ['a', 'b']],
    ['line split in three', ['fo', 'o b', 'ar\n'], ['foo bar']],
    ['empty lines', ['\n\r\n\r'], ['', '', '']],
    ['unterminated tail flushed', ['a\nb'], ['a', 'b']],
    ['empty chunks', ['', 'a', '', '\n', ''], ['a']],
  ] as Array<[string, string[], string[]]>)('%s', (_, chunks, expected) => {
    expect(split(chunks)).toEqual(expected)
  })
})

describe('sse decoder: chunk boundaries', () => {
  test.each([
    ['simple', ['data: {"a":1}\n\n'], [{ data: '{"a":1}' }]],
    ['event name', ['event: ping\ndata: {}\n\n'], [{ event: 'ping', data: '{}' }]],
    ['crlf split between cr and lf', ['event: x\r', '\ndata: 1\r\n\r', '\n'], [{ event: 'x', data: '1' }]],
    ['cr only', ['data: 1\r\rdata: 2\r\r'], [{ data: '1' }, { data: '2' }]],
    ['multi-line data', ['data: a\ndata: b\n\n'], [{ data: 'a\nb' }]],
    ['comments ignored', [': keepalive\n\n:x\ndata: 1\n\n'], [{ data: '1' }]],
    ['no space after colon', ['data:1\n\n'], [{ data: '1' }]],
    ['only one leading space removed', ['data:  1\n\n'], [{ data: ' 1' }]],
    ['field without colon', ['data\n\n'], [{ data: '' }]],
    ['id and retry ignored', ['id: 7\nretry: 10\ndata: z\n\n'], [{ data: 'z' }]],
    ['blank line without data dispatches nothing', ['event: a\n\ndata: b\n\n'], [{ data: 'b' }]],
    ['last event without blank line', ['data: [DONE]'], [{ data: '[DONE]' }]],
    ['byte order mark', ['\uFEFFdata: 1\n\n'], [{ data: '1' }]],
    ['split inside field name', ['da', 'ta: 1\n', '\n'], [{ data: '1' }]],
  ] as Array<[string, string[], SseEvent[]]>)('%s', async (_, chunks, expected) => {
    expect(await decodeChunks(chunks)).toEqual(expected)
  })

  test('utf-8 multi-byte characters split across chunks', async () => {
    const bytes = encoder.encode('data: {"t":"÷ 😀 日本"}\n\n')
    for (let offset = 1; offset < bytes.length; offset++) {
      expect(await decodeChunks([bytes.subarray(0, offset), bytes.subarray(offset)])).toEqual([
        { data: '{"t":"÷ 😀 日本"}' },
      ])
    }
  })
})

const fixtures = listChunkFixtures(['anthropic', 'openai-chat', 'openai-compatible', 'deepseek', 'groq', 'alibaba', 'gemini', 'openai-responses'])

describe('sse decoder: every fixture', () => {
  test.each(fixtures.map((fixture) => [`${fixture.folder}/${fixture.name}`, fixture] as const))(
    '%s',
    async (_, fixture) => {
      const named = fixture.folder === 'anthropic' || fixture.folder === 'openai-responses'
      const text = toSseText(fixture.lines, { named, done: !named })
      const expected: SseEvent[] = fixture.lines.map((line) =>
        named ? { event: (JSON.parse(line) as { type: string }).type, data: line } : { data: line },
      )
      if (!named) expected.push({ data: '[DONE]' })
      const bytes = encoder.encode(text)
      expect(await collect(streamOf(bytes).pipeThrough(createSseDecoderStream()))).toEqual(expected)
      // the same events with CRLF and CR-only line ends
      expect(decodeSync([encoder.encode(text.replaceAll('\n', '\r\n'))])).toEqual(expected)
      expect(decodeSync([encoder.encode(text.replaceAll('\n', '\r'))])).toEqual(expected)
      // random chunk sizes through the real stream
      const random = seededRandom(bytes.length)
      for (let round = 0; round < 3; round++) {
        const sizes = Array.from({ length: 64 }, () => 1 + Math.floor(random() * 300))
        expect(await collect(streamOf(bytes, sizes).pipeThrough(createSseDecoderStream()))).toEqual(expected)
      }
      // every split offset, for the small fixtures (CRLF so splits also fall between \r and \n)
      if (bytes.length <= 4000) {
        const crlf = encoder.encode(text.replaceAll('\n', '\r\n'))
        for (let offset = 1; offset < crlf.length; offset++) {
          const events = decodeSync([crlf.subarray(0, offset), crlf.subarray(offset)])
          if (events.length !== expected.length) throw new Error(`split at ${offset} gave ${events.length} events`)
          expect(events).toEqual(expected)
        }
      }
    },
  )
})

describe('sse encoder', () => {
  test('named, unnamed and multi-line events', () => {
    expect(formatSseEvent({ event: 'ping', data: '{}' })).toBe('event: ping\ndata: {}\n\n')
    expect(formatSseEvent({ data: '[DONE]' })).toBe('data: [DONE]\n\n')
    expect(formatSseEvent({ data: 'a\nb\r\nc' })).toBe('data: a\ndata: b\ndata: c\n\n')
  })

  test('encode then decode is the identity', async () => {
    const events: SseEvent[] = [{ event: 'a', data: '1' }, { data: 'x\ny' }, { data: '' }, { event: 'b', data: '😀' }]
    const bytes = await collect(arrayStream(events).pipeThrough(createSseEncoderStream()).pipeThrough(createSseDecoderStream()))
    expect(bytes).toEqual(events)
  })
})

describe('ndjson', () => {
  test('lines across chunk boundaries, blank lines skipped', async () => {
    const text = '{"a":1}\r\n\n{"b":"é"}\n{"c":3}'
    const bytes = encoder.encode(text)
    for (let offset = 1; offset < bytes.length; offset++) {
      const events = await collect(
        arrayStream([bytes.subarray(0, offset), bytes.subarray(offset)]).pipeThrough(createNdjsonDecoderStream()),
      )
      expect(events).toEqual([{ data: '{"a":1}' }, { data: '{"b":"é"}' }, { data: '{"c":3}' }])
    }
  })

  test('encoder writes one line per event', async () => {
    const chunks = await collect(arrayStream([{ data: '{"a":1}' }, { data: '{}' }]).pipeThrough(createNdjsonEncoderStream()))
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe('{"a":1}\n{}\n')
  })
})

describe('one-line events offered in place', () => {
  /** Feeds the texts; returns what reached `onRange` (taken, or declined and then parsed) and `onEvent`. */
  function offer(texts: string[], take: (data: string) => boolean = () => true) {
    const inPlace: { event?: string; data: string; taken: boolean }[] = []
    const events: SseEvent[] = []
    const parser = createSseParser(
      (event) => events.push(event),
      (text, start, end, event) => {
        const data = text.slice(start, end)
        const taken = take(data)
        inPlace.push({ ...(event === undefined ? {} : { event }), data, taken })
        return taken
      },
    )
    for (const text of texts) parser.feed(text)
    parser.end()
    return { inPlace, events }
  }

  test('a one-line event within one text is offered in place, with its name; it is not made an event', () => {
    const { inPlace, events } = offer(['data: {"a":1}\n\nevent: delta\ndata: {"b":2}\n\n'])
    expect(inPlace).toEqual([
      { data: '{"a":1}', taken: true },
      { event: 'delta', data: '{"b":2}', taken: true },
    ])
    expect(events).toEqual([])
  })

  test('one it declines becomes the same event; one of several lines, or whose end comes in a later text, is not offered', () => {
    const { inPlace, events } = offer(['data: keep\n\ndata: two\ndata: lines\n\ndata: spl', 'it\n\ndata: x\n', '\n'], (data) => data !== 'keep')
    // A line cut between texts is whole again once its end arrives: offered then, if its event ends in that text.
    expect(inPlace).toEqual([
      { data: 'keep', taken: false },
      { data: 'split', taken: true },
    ])
    expect(events).toEqual([{ data: 'keep' }, { data: 'two\nlines' }, { data: 'x' }])
  })

  test('the last event, without its blank line, is offered at the end', () => {
    expect(offer(['data: last']).inPlace).toEqual([{ data: 'last', taken: true }])
  })
})

import { describe, expect, test } from 'bun:test'
import { createLineTextDecoder } from '../../src/core/utf8-lines'
import { createSseDecoder, type SseEvent } from '../../src/core/sse'
import { readChunks, toSse } from '../helpers/recorded'

const encoder = new TextEncoder()

/** Feeds `chunks` through a line text decoder; returns every piece it fed, in order. */
function pieces(chunks: Uint8Array[]): string[] {
  const decoder = createLineTextDecoder()
  const fed: string[] = []
  for (const chunk of chunks) decoder.decode(chunk, (text) => fed.push(text))
  decoder.end((text) => fed.push(text))
  return fed
}

/** `bytes` cut at the given offsets. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const bounds = [0, ...at.filter((offset) => offset > 0 && offset < bytes.length).sort((a, b) => a - b), bytes.length]
  return bounds.slice(1).map((end, index) => bytes.subarray(bounds[index], end))
}

/** A deterministic pseudo-random source (the same cases every run). */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    return state / 0x80000000
  }
}

describe('line text decoder', () => {
  test('an ASCII chunk is fed whole', () => {
    expect(pieces([encoder.encode('data: a\n\ndata: b\n\n')])).toEqual(['data: a\n\ndata: b\n\n'])
  })

  test('the lines around a non-ASCII character are fed apart, each piece ending at a line feed', () => {
    const text = 'data: one\n\ndata: café\n\ndata: three\n\n'
    const fed = pieces([encoder.encode(text)])
    expect(fed).toEqual(['data: one\n\n', 'data: café\n', '\ndata: three\n\n'])
  })

  test('a character split across chunks decodes whole', () => {
    const bytes = encoder.encode('data: ab€\n\n')
    const split = bytes.indexOf(0xe2) + 1
    expect(pieces(cut(bytes, [split])).join('')).toBe('data: ab€\n\n')
  })

  test('a character cut off at the end decodes as U+FFFD, as TextDecoder would', () => {
    const bytes = encoder.encode('x€')
    expect(pieces([bytes.subarray(0, 2)]).join('')).toBe('x\uFFFD')
  })

  test('random text and random cuts give exactly what one TextDecoder gives', () => {
    const next = random(7)
    const alphabet = ['a', 'b', ' ', '\n', '\n\n', '\r\n', 'é', '€', '😀', '"', '\\', 'x'.repeat(5000)]
    for (let round = 0; round < 300; round++) {
      let text = ''
      const length = 1 + Math.floor(next() * 60)
      for (let index = 0; index < length; index++) text += alphabet[Math.floor(next() * alphabet.length)]
      const bytes = encoder.encode(text)
      const offsets = Array.from({ length: Math.floor(next() * 6) }, () => Math.floor(next() * bytes.length))
      const fed = pieces(cut(bytes, offsets))
      expect(fed.join('')).toBe(new TextDecoder().decode(bytes))
    }
  })

  test('random bytes (invalid ones, byte order marks at the start and within) and random cuts give what one TextDecoder gives', () => {
    const next = random(23)
    const parts = [[0x61], [0x0a], [0x0a, 0x0a], [0xef, 0xbb, 0xbf], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xff], [0x80], [0xe2, 0x82], [0xc3], [0x0d, 0x0a]]
    for (let round = 0; round < 2000; round++) {
      const bytes: number[] = []
      const length = 1 + Math.floor(next() * 30)
      for (let index = 0; index < length; index++) bytes.push(...parts[Math.floor(next() * parts.length)])
      const array = new Uint8Array(bytes)
      const offsets = Array.from({ length: Math.floor(next() * 8) }, () => Math.floor(next() * array.length))
      expect(pieces(cut(array, offsets)).join('')).toBe(new TextDecoder().decode(array))
    }
  })

  test('invalid bytes become U+FFFD exactly as TextDecoder makes them', () => {
    const bytes = new Uint8Array([0x61, 0x0a, 0xff, 0x62, 0x0a, 0xc3, 0x0a, 0x63])
    expect(pieces(cut(bytes, [3, 6])).join('')).toBe(new TextDecoder().decode(bytes))
  })

  test('a recorded OpenAI stream parses to the same events as before, however it is cut', () => {
    const bytes = encoder.encode(toSse(readChunks('openai-chat/openai-text.chunks.txt'), 'openai').join(''))
    const parse = (chunks: Uint8Array[]) => {
      const decoder = createSseDecoder()
      const events: SseEvent[] = []
      for (const chunk of chunks) decoder.transform(chunk, (event) => events.push(event))
      decoder.flush((event) => events.push(event))
      return events
    }
    const whole = parse([bytes])
    const expected = new TextDecoder()
      .decode(bytes)
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({ data: block.slice('data: '.length) }))
    expect(whole).toEqual(expected)
    const next = random(11)
    for (let round = 0; round < 20; round++) {
      const offsets = Array.from({ length: 1 + Math.floor(next() * 8) }, () => Math.floor(next() * bytes.length))
      expect(parse(cut(bytes, offsets))).toEqual(expected)
    }
  })
})

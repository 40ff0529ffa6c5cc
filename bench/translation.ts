/**
 * Translation cost per streamed chunk for every format pair, measured in-process: recorded streams are
 * decoded by the source format and encoded for the client format through the IR (SSE framing included),
 * the same fused translator a cross-format request runs, fed one event per chunk (the worst case: deltas that
 * arrive together are joined, which costs less). Same-format pairs pass bytes through and cost nothing.
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fixedClock, sequentialIds } from '../src/core/ids'
import { createStreamTranslator, translateStream } from '../src/core/translate'
import { formats } from '../src/formats'
import type { FormatId } from '../src/formats/types'

const recorded = join(import.meta.dir, '../../shared/fixtures/recorded')

/** One source stream: its format, the SSE bytes, and how many events (chunks) it has. */
interface SourceStream {
  format: FormatId
  bytes: Uint8Array
  chunks: number
}

/** A stream's events, one chunk each (SSE events, or NDJSON lines). */
function eventChunks(source: SourceStream): Uint8Array[] {
  const text = new TextDecoder().decode(source.bytes)
  return text.split(source.format === 'ollama' ? /(?<=\n)/ : /(?<=\n\n)/).map((event) => new TextEncoder().encode(event))
}

function load(folder: string, format: FormatId, named: boolean, done: boolean): SourceStream[] {
  return readdirSync(join(recorded, folder))
    // Error streams and the two-answers-in-one recording have no single answer to translate.
    .filter((file) => file.endsWith('.chunks.txt') && !file.includes('error') && file !== 'openai-shell-tool.1.chunks.txt')
    .map((file) => {
      const lines = readFileSync(join(recorded, folder, file), 'utf8').split('\n').filter((line) => line.trim())
      let text = lines.map((line) => `${named ? `event: ${JSON.parse(line).type}\n` : ''}data: ${line}\n\n`).join('')
      if (done) text += 'data: [DONE]\n\n'
      return { format, bytes: new TextEncoder().encode(text), chunks: lines.length }
    })
}

/**
 * One stream through the fused translator, synchronously, each event arriving as its own chunk: what a stream
 * whose events come one per read costs (none of its deltas are joined), without any stream plumbing.
 */
function translateOnce(source: SourceStream, chunks: Uint8Array[], to: FormatId): number {
  const started = performance.now()
  const translator = createStreamTranslator(formats[source.format], formats[to], { clock: fixedClock(0), ids: sequentialIds() })
  let bytes = 0
  const emit = (out: Uint8Array) => {
    bytes += out.length
  }
  for (const chunk of chunks) translator.transform(chunk, emit)
  translator.flush(emit)
  if (bytes === 0) throw new Error(`translating ${source.format} → ${to} produced nothing`)
  return (performance.now() - started) * 1000
}

/**
 * Per-chunk and per-stream cost of one pair: the median time of each recorded stream, fitted as
 * `time = perStream + perChunk × chunks` (least squares), so short streams' setup does not pass for chunk cost.
 */
async function measurePair(sources: SourceStream[], to: FormatId, rounds: number): Promise<{ perChunk: number; perStream: number }> {
  const points: [number, number][] = []
  for (const source of sources) {
    const times: number[] = []
    const chunks = eventChunks(source)
    for (let round = 0; round < rounds; round++) times.push(translateOnce(source, chunks, to))
    times.sort((a, b) => a - b)
    points.push([source.chunks, times[Math.floor(times.length / 2)]])
  }
  const n = points.length
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0)
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0)
  const perChunk = variance > 0 ? covariance / variance : meanY / meanX
  return { perChunk, perStream: meanY - perChunk * meanX }
}

/** One measured pair. */
export interface TranslationResult {
  from: FormatId
  to: FormatId
  /** Marginal cost of one more streamed chunk (µs). */
  usPerChunk: number
  /** Fixed cost of setting up one translated stream (µs). */
  usPerStream: number
  streams: number
}

/** Ollama has no recorded streams: its sources are the OpenAI Chat recordings encoded as Ollama NDJSON. */
async function asOllama(list: SourceStream[]): Promise<SourceStream[]> {
  const out: SourceStream[] = []
  for (const source of list) {
    // One event per chunk, so the translator joins no deltas: one NDJSON line per recorded event.
    const events = eventChunks(source)
    let next = 0
    const perEvent = new ReadableStream<Uint8Array>({ pull: (controller) => (next < events.length ? controller.enqueue(events[next++]) : controller.close()) })
    const stream = translateStream(perEvent, formats[source.format], formats.ollama, { clock: fixedClock(0), ids: sequentialIds() })
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer())
    out.push({ format: 'ollama', bytes, chunks: new TextDecoder().decode(bytes).split('\n').filter((line) => line.trim()).length })
  }
  return out
}

/** Measures every pair: sources are the recorded streams (Ollama's derived from OpenAI Chat ones). */
export async function measureTranslation(rounds = 15): Promise<TranslationResult[]> {
  const openaiChat = [...load('openai-chat', 'openai-chat', false, true), ...load('deepseek', 'openai-chat', false, true), ...load('groq', 'openai-chat', false, true)]
  const sources: Partial<Record<FormatId, SourceStream[]>> = {
    'openai-chat': openaiChat,
    'anthropic-messages': load('anthropic', 'anthropic-messages', true, false),
    'openai-responses': load('openai-responses', 'openai-responses', true, false),
    gemini: load('gemini', 'gemini', false, false),
    ollama: await asOllama(openaiChat),
  }
  const results: TranslationResult[] = []
  for (const [from, list] of Object.entries(sources) as [FormatId, SourceStream[]][]) {
    for (const to of Object.keys(formats) as FormatId[]) {
      if (to === from) continue
      await measurePair(list, to, 3) // warm-up: JIT tiers and lazy paths (one round left gemini pairs half-compiled)
      const { perChunk, perStream } = await measurePair(list, to, rounds)
      results.push({ from, to, usPerChunk: perChunk, usPerStream: perStream, streams: list.length })
    }
  }
  return results
}

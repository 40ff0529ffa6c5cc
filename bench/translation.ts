/**
 * Translation cost per streamed chunk for every format pair, measured in-process: recorded streams are
 * decoded by the source format and encoded for the client format through the IR (SSE framing included),
 * the same pipeline a cross-format request runs. Same-format pairs pass bytes through and cost nothing.
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fixedClock, sequentialIds } from '../src/core/ids'
import { translateStream } from '../src/core/translate'
import { formats } from '../src/formats'
import type { FormatId } from '../src/formats/types'

const recorded = join(import.meta.dir, '../../shared/fixtures/recorded')

/** One source stream: its format, the SSE bytes, and how many events (chunks) it has. */
interface SourceStream {
  format: FormatId
  bytes: Uint8Array
  chunks: number
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

async function translateOnce(source: SourceStream, to: FormatId): Promise<number> {
  const started = performance.now()
  const body = new Blob([source.bytes as BlobPart]).stream()
  const out = translateStream(body, formats[source.format], formats[to], { clock: fixedClock(0), ids: sequentialIds() })
  const reader = out.getReader()
  while (!(await reader.read()).done) {}
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
    for (let round = 0; round < rounds; round++) times.push(await translateOnce(source, to))
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
    const stream = translateStream(new Blob([source.bytes as BlobPart]).stream(), formats[source.format], formats.ollama, { clock: fixedClock(0), ids: sequentialIds() })
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

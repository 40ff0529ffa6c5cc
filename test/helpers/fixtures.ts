/**
 * Reads the recorded provider fixtures in `shared/fixtures/recorded/` (beside the repository) and
 * turns them into byte streams the way an upstream would send them.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Absolute path of the recorded-fixtures folder. */
export const fixturesDirectory = fileURLToPath(new URL('../../../shared/fixtures/recorded/', import.meta.url))

/** One `*.chunks.txt` fixture: folder, base name and its JSON payload lines. */
export interface ChunkFixture {
  folder: string
  name: string
  lines: string[]
}

/** Lists the `*.chunks.txt` fixtures in the given folders. */
export function listChunkFixtures(folders: string[]): ChunkFixture[] {
  return folders.flatMap((folder) =>
    readdirSync(fixturesDirectory + folder)
      .filter((file) => file.endsWith('.chunks.txt'))
      .sort()
      .map((file) => ({ folder, name: file.slice(0, -'.chunks.txt'.length), lines: readChunkLines(folder, file) })),
  )
}

/** Reads the non-empty lines of a chunks file. */
export function readChunkLines(folder: string, file: string): string[] {
  return readText(folder, file)
    .split('\n')
    .filter((line) => line.trim().length > 0)
}

/** Reads a fixture file as text. */
export function readText(folder: string, file: string): string {
  return readFileSync(`${fixturesDirectory}${folder}/${file}`, 'utf8')
}

/** Reads a `.json` fixture, or undefined when there is none. */
export function readJsonFixture(folder: string, name: string): unknown {
  try {
    return JSON.parse(readText(folder, `${name}.json`))
  } catch {
    return undefined
  }
}

/** Renders chunk lines as SSE text: `event: <type>` when `named`, and a final `[DONE]` when `done`. */
export function toSseText(lines: string[], options: { named?: boolean; done?: boolean } = {}): string {
  let text = ''
  for (const line of lines) {
    if (options.named) text += `event: ${(JSON.parse(line) as { type: string }).type}\n`
    text += `data: ${line}\n\n`
  }
  if (options.done) text += 'data: [DONE]\n\n'
  return text
}

/** A byte stream delivering `bytes` in the given chunk sizes (the last size repeats). */
export function streamOf(bytes: Uint8Array, sizes: number[] = [bytes.length || 1]): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = []
  let offset = 0
  let turn = 0
  while (offset < bytes.length) {
    const size = Math.max(1, sizes[Math.min(turn++, sizes.length - 1)])
    chunks.push(bytes.subarray(offset, offset + size))
    offset += size
  }
  return arrayStream(chunks)
}

/** A stream of the given items. */
export function arrayStream<T>(items: T[]): ReadableStream<T> {
  let position = 0
  return new ReadableStream<T>({
    pull(controller) {
      if (position < items.length) controller.enqueue(items[position++])
      else controller.close()
    },
  })
}

/** Reads a whole stream into an array. */
export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of stream) items.push(item)
  return items
}

/** A seeded pseudo-random generator (mulberry32) so "random" chunkings are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

/** The fields a translation must keep, in comparable form (see `summarize`). */
export interface ResponseSummary {
  text: string
  reasoning: string
  toolCalls: Array<{ id: string; name: string; arguments: unknown }>
  finishReason: string
  usage: Record<string, number>
}

/** Reduces a `ChatResponse` to what a translation must preserve; absent usage fields read as 0. */
export function summarize(
  response: import('../../src/core/ir').ChatResponse,
  usageFields: Array<keyof import('../../src/core/ir').Usage> = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'],
): ResponseSummary {
  const usage: Record<string, number> = {}
  for (const field of usageFields) usage[field] = response.usage?.[field] ?? 0
  return {
    text: response.content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
    reasoning: response.content.map((part) => (part.type === 'reasoning' ? part.text : '')).join(''),
    toolCalls: response.content
      .filter((part) => part.type === 'tool-call')
      .map((part) => ({ id: part.id, name: part.name, arguments: part.arguments.trim() === '' ? {} : JSON.parse(part.arguments) })),
    finishReason: response.finishReason,
    usage,
  }
}

/** Splits Anthropic fixtures that recorded several messages back to back (one per `message_stop`). */
export function splitAnthropicMessages(fixtures: ChunkFixture[]): ChunkFixture[] {
  return fixtures.flatMap((fixture) => {
    const parts: string[][] = [[]]
    for (const line of fixture.lines) {
      parts[parts.length - 1].push(line)
      if (line.includes('"type":"message_stop"')) parts.push([])
    }
    const messages = parts.filter((part) => part.length > 0)
    return messages.length === 1
      ? [fixture]
      : messages.map((lines, position) => ({ folder: fixture.folder, name: `${fixture.name}#${position + 1}`, lines }))
  })
}

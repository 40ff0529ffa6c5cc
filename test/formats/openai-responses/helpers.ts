/** Shared helpers for the openai-responses codec tests. */
import { accumulateEvents } from '../../../src/core/accumulate'
import type { ChatResponse, StreamEvent } from '../../../src/core/ir'
import { type SseEvent, toTransformStream } from '../../../src/core/sse'
import { decodeStream } from '../../../src/core/translate'
import { openaiResponsesFormat } from '../../../src/formats/openai-responses'
import { arrayStream, collect, listChunkFixtures, streamOf, type ChunkFixture } from '../../helpers/fixtures'

const encoder = new TextEncoder()

/** Splits fixtures that recorded several responses back to back (one per terminal event). */
export function splitResponses(fixtures: ChunkFixture[]): ChunkFixture[] {
  return fixtures.flatMap((fixture) => {
    const parts: string[][] = [[]]
    for (const line of fixture.lines) {
      parts[parts.length - 1].push(line)
      if (/"type":"response\.(completed|failed|incomplete)"/.test(line)) parts.push([])
    }
    const responses = parts.filter((part) => part.length > 0)
    return responses.length === 1
      ? [fixture]
      : responses.map((lines, position) => ({ folder: fixture.folder, name: `${fixture.name}#${position + 1}`, lines }))
  })
}

/** Every recorded Responses stream, one response each. */
export const responsesFixtures = splitResponses(listChunkFixtures(['openai-responses']))

/** Decodes SSE text fed in chunks of the given sizes. */
export async function decodeText(text: string, sizes: number[] = [97]): Promise<StreamEvent[]> {
  return collect(decodeStream(streamOf(encoder.encode(text), sizes), openaiResponsesFormat))
}

/** Decodes SSE events (payload objects or raw strings) directly. */
export async function decodeEvents(payloads: unknown[]): Promise<StreamEvent[]> {
  const events: SseEvent[] = payloads.map((payload) =>
    typeof payload === 'string' ? { data: payload } : { event: (payload as { type: string }).type, data: JSON.stringify(payload) })
  return collect(arrayStream(events).pipeThrough(toTransformStream(openaiResponsesFormat.stream.decoder())))
}

/** The parts of a response a translation must keep, ids and opaque data included. */
export function project(response: ChatResponse) {
  return {
    content: response.content.map((part) => {
      switch (part.type) {
        case 'text':
          return { type: part.type, text: part.text }
        case 'tool-call':
          return { type: part.type, id: part.id, name: part.name, arguments: part.arguments }
        case 'reasoning':
          return { type: part.type, text: part.text, id: part.id, encrypted: part.encrypted }
        case 'raw':
          return { type: part.type, format: part.format, value: part.value }
      }
    }),
    finishReason: response.finishReason,
    usage: response.usage,
  }
}

/** Accumulates decoded events into a response. */
export function accumulate(events: StreamEvent[]): ChatResponse {
  return accumulateEvents(events)
}

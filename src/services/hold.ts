import type { StreamError } from '../core/ir'
import { createFramingDecoder, type SseEvent } from '../core/sse'
import { decodeStream } from '../core/translate'
import type { WireFormat } from '../formats/types'
import type { BodyReader } from '../upstream/call-upstream'

/** An upstream stream held until its first output: the bytes read so far and the reader for the rest. */
export interface HeldBody {
  buffered: Uint8Array[]
  reader: BodyReader
}

/** What the first events of an upstream stream showed. */
export type HeldStream =
  /** Output (text, reasoning, a tool call, or a finish): safe to answer. */
  | ({ kind: 'content' } & HeldBody)
  /** The upstream reported an error before any output: nothing was sent, another candidate may serve. */
  | { kind: 'error'; error: StreamError }
  /** The upstream ended or broke (`cause`) before any output, or sent something unreadable. */
  | { kind: 'empty'; cause?: unknown }

const PROBE_SLICE = 1024

async function decodeError(buffered: Uint8Array[], format: WireFormat): Promise<StreamError> {
  const events = decodeStream(new Blob(buffered as BlobPart[]).stream(), format).getReader()
  for (let next = await events.read(); !next.done; next = await events.read()) {
    if (next.value.type === 'error') return next.value.error
  }
  return { status: 502, kind: 'upstream', message: 'upstream reported an error before any output' }
}

/**
 * Holds a stream's preamble until its first real output, so a failure before it (an in-band error, a
 * stall, a cut connection) can still fall over invisibly. Each event is classified by the format's cheap
 * `probe`; the bytes themselves are kept untouched.
 */
export async function holdUntilContent(reader: BodyReader, format: WireFormat): Promise<HeldStream> {
  const buffered: Uint8Array[] = []
  let verdict: 'output' | 'error' | undefined
  const onEvent = (event: SseEvent) => {
    if (verdict) return
    const probe = format.stream.probe(event)
    if (probe !== 'preamble') verdict = probe
  }
  const framing = createFramingDecoder(format.stream.framing)
  try {
    while (verdict === undefined) {
      const next = await reader.read()
      if (next.done) {
        framing.flush(onEvent)
        break
      }
      buffered.push(next.value)
      // Look only as far as needed: a large first chunk is scanned in slices until its first output.
      for (let offset = 0; offset < next.value.byteLength && verdict === undefined; offset += PROBE_SLICE) {
        framing.transform(next.value.subarray(offset, offset + PROBE_SLICE), onEvent)
      }
    }
  } catch (cause) {
    await reader.cancel().catch(() => {})
    return { kind: 'empty', cause }
  }
  if (verdict === 'output') return { kind: 'content', buffered, reader }
  await reader.cancel().catch(() => {})
  if (verdict === 'error') return { kind: 'error', error: await decodeError(buffered, format) }
  return { kind: 'empty' }
}

import { ProxyError } from '../core/errors'
import type { StreamError } from '../core/ir'
import { createFramingDecoder, type Emit, type SseEvent } from '../core/sse'
import { decodeStream } from '../core/translate'
import { encodeStreamError } from '../formats/errors'
import type { FormatId, WireFormat } from '../formats/types'
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

/** How a relayed or translated stream ended: completely, or with its failure (a client that left is a 499). */
export type StreamEnd = { ok: true } | { ok: false; error: ProxyError; clientGone: boolean }

/** What a held stream's chunks become on their way to the client (text or bytes, written as they come). */
export interface ChunkStage {
  transform(chunk: Uint8Array, emit: Emit<string | Uint8Array>): void
  /** The upstream ended. */
  flush(emit: Emit<string | Uint8Array>): void
  /** The upstream broke: end the output with `failure` in-band, never a silent truncation. */
  fail(failure: ProxyError, emit: Emit<string | Uint8Array>): void
  /** A failure found in what was read (an in-band error, a continuation that went astray), taken like a broken upstream. */
  failure?(): ProxyError | undefined
}

/** Another upstream that carries a broken answer on: its held body, the stage its chunks go through, text to write first. */
export interface Recovery {
  held: HeldBody
  stage: ChunkStage
  preamble?: string
  /** How a later break of this one is carried on, when that differs from how the first was. */
  recover?: (failure: ProxyError) => Promise<Recovery | undefined>
}

/**
 * Sends a held stream to the client through `stage`, as one direct stream: the held chunks, then the rest as the
 * upstream sends it. Pull-based: while the client is slower than the upstream, each write's promise holds the
 * next read back (backpressure). When the upstream breaks, `recover` may hand over another upstream that carries
 * the answer on; otherwise the output ends with the failure in-band. `onEnd` hears once how it ended.
 */
export function streamHeld(
  held: HeldBody,
  stage: ChunkStage,
  options: {
    clientFormat: FormatId
    describeFailure: (error: unknown) => ProxyError
    onEnd: (end: StreamEnd) => void
    recover?: (failure: ProxyError) => Promise<Recovery | undefined>
  },
): ReadableStream<Uint8Array> {
  let source = held
  let recover = options.recover
  let bufferedIndex = 0
  let ended = false
  const end = (result: StreamEnd) => {
    if (ended) return
    ended = true
    options.onEnd(result)
  }
  const pipe = {
    type: 'direct' as const,
    async pull(controller: ReadableStreamDirectController) {
      // What the last write returned: a promise while the client is slower than the upstream.
      let written: number | Promise<number> | undefined
      const write: Emit<string | Uint8Array> = (output) => {
        written = controller.write(output)
      }
      /** Hands the answer to another upstream if one carries it on (true), or ends it with the failure in-band. */
      const broke = async (failure: ProxyError): Promise<boolean> => {
        const next = recover ? await recover(failure) : undefined
        if (ended) {
          await next?.held.reader.cancel().catch(() => {})
          return false
        }
        if (next) {
          source = next.held
          bufferedIndex = 0
          stage = next.stage
          recover = next.recover ?? recover
          if (next.preamble) write(next.preamble)
          return true
        }
        stage.fail(failure, write)
        end({ ok: false, error: failure, clientGone: false })
        controller.close()
        return false
      }
      try {
        for (;;) {
          let chunk: Uint8Array
          if (bufferedIndex < source.buffered.length) chunk = source.buffered[bufferedIndex++]
          else {
            let next: Awaited<ReturnType<BodyReader['read']>>
            try {
              next = await source.reader.read()
            } catch (error) {
              if (ended) return // the client went away and cancelled the read
              // A broken upstream is reported as what it was (a timeout, a reset), not as an early end.
              if (await broke(options.describeFailure(error))) continue
              return
            }
            if (next.done) {
              stage.flush(write)
              const found = stage.failure?.()
              if (found && (await broke(found))) continue
              if (found) return
              end({ ok: true })
              controller.close()
              return
            }
            chunk = next.value
          }
          written = undefined
          stage.transform(chunk, write)
          if (written !== undefined) {
            await written
            await controller.flush()
          }
          const found = stage.failure?.()
          if (found) {
            await source.reader.cancel().catch(() => {})
            if (await broke(found)) continue
            return
          }
        }
      } catch (error) {
        // A codec bug must not crash the process or leave the client hanging (unless it already left).
        if (ended) return
        const problem = options.describeFailure(error)
        end({ ok: false, error: problem, clientGone: false })
        controller.write(encodeStreamError(options.clientFormat, problem))
        controller.close()
      }
    },
    cancel(reason?: unknown) {
      end({ ok: false, error: new ProxyError('invalid_request', 'client disconnected', { status: 499 }), clientGone: true })
      return source.reader.cancel(reason)
    },
  }
  return new ReadableStream(pipe as unknown as UnderlyingDefaultSource<Uint8Array>)
}

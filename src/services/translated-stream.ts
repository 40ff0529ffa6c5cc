import type { EncodeContext } from '../core/ids'
import type { StreamEvent, Usage } from '../core/ir'
import { mergeUsage } from '../core/ir'
import type { ProxyError } from '../core/errors'
import type { StreamTransformer } from '../core/sse'
import { translateStreamWith } from '../core/translate'
import { encodeStreamError } from '../formats/errors'
import type { WireFormat } from '../formats/types'

/** The upstream body with read failures turned into a clean end; the failure is remembered for an in-band error. */
function endCleanly(body: ReadableStream<Uint8Array>, onFailure: (error: unknown) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        } catch (error) {
          onFailure(error)
          controller.close()
        }
      },
      cancel(reason) {
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** How a translated stream ended. */
export interface TranslatedEnd {
  ok: boolean
  error?: ProxyError
  clientGone?: boolean
}

/**
 * Translates an upstream stream into the client's format through the IR. Usage is read from the IR
 * events (exact, never estimated); a broken upstream becomes the client format's in-band error.
 */
export function translateUpstreamStream(options: {
  body: ReadableStream<Uint8Array>
  from: WireFormat
  to: WireFormat
  context: EncodeContext
  usage: Usage
  describeFailure: (error: unknown) => ProxyError
  onEnd: (end: TranslatedEnd) => void
}): ReadableStream<Uint8Array> {
  let failure: ProxyError | undefined
  let terminal = false
  let ended = false
  const end = (result: TranslatedEnd) => {
    if (ended) return
    ended = true
    options.onEnd(result)
  }
  const body = endCleanly(options.body, (error) => (failure = options.describeFailure(error)))
  const observe: StreamTransformer<StreamEvent, StreamEvent> = {
    transform(event, emit) {
      if (event.type === 'usage') Object.assign(options.usage, mergeUsage(options.usage, event.usage))
      else if (event.type === 'message-start' && event.usage) Object.assign(options.usage, mergeUsage(options.usage, event.usage))
      else if (event.type === 'error' || event.type === 'message-end') terminal = true
      emit(event)
    },
    flush(emit) {
      // The upstream broke off: say so in-band before the encoder closes the client's stream.
      if (failure && !terminal) emit({ type: 'error', error: { status: failure.status, kind: failure.kind, message: failure.message, code: failure.code } })
      end(failure ? { ok: false, error: failure } : { ok: true })
    },
  }
  const encoded = translateStreamWith(body, options.from, options.to, options.context, observe)
  const reader = encoded.getReader()
  // One upstream chunk becomes many small events; everything the pipeline has ready by the next turn of the
  // event loop goes out as one write, so a translated stream costs about as many writes as the upstream's.
  type Read = { done: true; value?: undefined } | { done: false; value: Uint8Array }
  let pending: Promise<Read> | undefined
  const nextTurn = () => new Promise<'later'>((resolve) => setImmediate(() => resolve('later')))
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const first = await (pending ?? (reader.read() as Promise<Read>))
          pending = undefined
          if (first.done) return controller.close()
          const parts: Uint8Array[] = [first.value]
          let size = first.value.byteLength
          for (;;) {
            pending = reader.read() as Promise<Read>
            const ready = await Promise.race([pending, nextTurn()])
            if (ready === 'later' || ready.done) break
            pending = undefined
            parts.push(ready.value)
            size += ready.value.byteLength
          }
          if (parts.length === 1) return controller.enqueue(parts[0])
          const joined = new Uint8Array(size)
          let offset = 0
          for (const part of parts) {
            joined.set(part, offset)
            offset += part.byteLength
          }
          controller.enqueue(joined)
        } catch (error) {
          // A codec bug must not crash the process or leave the client hanging.
          const problem = options.describeFailure(error)
          end({ ok: false, error: problem })
          controller.enqueue(new TextEncoder().encode(encodeStreamError(options.to.id, problem)))
          controller.close()
        }
      },
      cancel(reason) {
        end({ ok: false, clientGone: true })
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

import type { EncodeContext } from '../core/ids'
import type { StreamEvent, Usage } from '../core/ir'
import { mergeUsage } from '../core/ir'
import { ProxyError } from '../core/errors'
import type { Emit, StreamTransformer } from '../core/sse'
import { createTextStreamTranslator } from '../core/translate'
import { encodeStreamError } from '../formats/errors'
import type { WireFormat } from '../formats/types'
import type { HeldBody } from './hold'

/** How a translated stream ended. */
export interface TranslatedEnd {
  ok: boolean
  error?: ProxyError
  clientGone?: boolean
}

/**
 * Translates a held upstream stream into the client's format through the IR, as one direct stream:
 * each upstream chunk is decoded, translated and encoded synchronously and written as one text (so a
 * translated stream costs as many writes as the upstream's). Usage is read from the IR events (exact,
 * never estimated); a broken upstream becomes the client format's in-band error.
 */
export function translateUpstreamStream(options: {
  held: HeldBody
  from: WireFormat
  to: WireFormat
  context: EncodeContext
  usage: Usage
  describeFailure: (error: unknown) => ProxyError
  onEnd: (end: TranslatedEnd) => void
}): ReadableStream<Uint8Array> {
  const { reader, buffered } = options.held
  let bufferedIndex = 0
  let failure: ProxyError | undefined
  let terminal = false
  let ended = false
  const end = (result: TranslatedEnd) => {
    if (ended) return
    ended = true
    options.onEnd(result)
  }
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
  const translator = createTextStreamTranslator(options.from, options.to, options.context, observe)
  const source = {
    type: 'direct' as const,
    async pull(controller: ReadableStreamDirectController) {
      // What the last write returned: a promise while the client is slower than the upstream (backpressure).
      let written: number | Promise<number> | undefined
      const write: Emit<string> = (text) => {
        written = controller.write(text)
      }
      try {
        for (;;) {
          let chunk: Uint8Array | undefined
          if (bufferedIndex < buffered.length) chunk = buffered[bufferedIndex++]
          else {
            try {
              const next = await reader.read()
              if (!next.done) chunk = next.value
            } catch (error) {
              if (ended) return // the client went away and cancelled the read
              failure = options.describeFailure(error)
            }
          }
          if (chunk === undefined) {
            // A broken upstream is reported as what it was (a timeout, a reset), not as an early end.
            if (failure) translator.fail({ type: 'error', error: { status: failure.status, kind: failure.kind, message: failure.message, code: failure.code } }, write)
            else translator.flush(write)
            controller.close()
            return
          }
          written = undefined
          translator.transform(chunk, write)
          if (written !== undefined) {
            await written
            await controller.flush()
          }
        }
      } catch (error) {
        // A codec bug must not crash the process or leave the client hanging (unless it already left).
        const problem = options.describeFailure(error)
        if (ended) return
        end({ ok: false, error: problem })
        controller.write(encodeStreamError(options.to.id, problem))
        controller.close()
      }
    },
    cancel(reason?: unknown) {
      end({ ok: false, clientGone: true, error: new ProxyError('invalid_request', 'client disconnected', { status: 499 }) })
      return reader.cancel(reason)
    },
  }
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>)
}

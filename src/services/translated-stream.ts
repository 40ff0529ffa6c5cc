import type { EncodeContext } from '../core/ids'
import type { StreamEvent, Usage } from '../core/ir'
import { mergeUsage } from '../core/ir'
import type { ProxyError } from '../core/errors'
import type { StreamTransformer } from '../core/sse'
import { createTextStreamTranslator } from '../core/translate'
import type { WireFormat } from '../formats/types'
import { streamHeld, type HeldBody, type StreamEnd } from './hold'

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
  onEnd: (end: StreamEnd) => void
}): ReadableStream<Uint8Array> {
  const observe: StreamTransformer<StreamEvent, StreamEvent> = {
    transform(event, emit) {
      const usage = event.type === 'usage' || event.type === 'message-start' ? event.usage : undefined
      if (usage) Object.assign(options.usage, mergeUsage(options.usage, usage))
      emit(event)
    },
    flush() {},
  }
  const translator = createTextStreamTranslator(options.from, options.to, options.context, observe)
  return streamHeld(
    options.held,
    {
      transform: (chunk, emit) => translator.transform(chunk, emit),
      flush: (emit) => translator.flush(emit),
      fail: (failure, emit) => translator.fail({ type: 'error', error: { status: failure.status, kind: failure.kind, message: failure.message, code: failure.code } }, emit),
    },
    { clientFormat: options.to.id, describeFailure: options.describeFailure, onEnd: options.onEnd },
  )
}

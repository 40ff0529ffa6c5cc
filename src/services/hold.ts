import type { StreamError } from '../core/ir'
import { decodeStream } from '../core/translate'
import type { WireFormat } from '../formats/types'

/** What the first events of an upstream stream showed. */
export type HeldStream =
  /** Real output (text, reasoning, a tool call) or a clean empty finish: safe to answer with `body`. */
  | { kind: 'content'; body: ReadableStream<Uint8Array> }
  /** The upstream reported an error before any output: nothing was sent, another candidate may serve. */
  | { kind: 'error'; error: StreamError }
  /** The upstream ended (or broke) before any output. */
  | { kind: 'empty'; cause?: unknown }

const contentEvents = new Set(['text-delta', 'reasoning-delta', 'reasoning-start', 'tool-call-start', 'raw'])

/**
 * Holds a stream's preamble until its first real output, so a failure before it (an in-band error,
 * a stall, a cut connection) can still fall over invisibly. Decodes only the first events; the bytes
 * themselves are kept untouched in `body`.
 */
export async function holdUntilContent(body: ReadableStream<Uint8Array>, format: WireFormat): Promise<HeldStream> {
  const [probe, kept] = body.tee()
  const events = decodeStream(probe, format).getReader()
  try {
    for (;;) {
      const next = await events.read()
      if (next.done) break
      const event = next.value
      if (contentEvents.has(event.type) || event.type === 'finish' || event.type === 'message-end') {
        await events.cancel().catch(() => {})
        return { kind: 'content', body: kept }
      }
      if (event.type === 'error') {
        await kept.cancel().catch(() => {})
        return { kind: 'error', error: event.error }
      }
    }
    await kept.cancel().catch(() => {})
    return { kind: 'empty' }
  } catch (cause) {
    await kept.cancel().catch(() => {})
    return { kind: 'empty', cause }
  }
}

import type { Timeouts } from '../services/registry'

/** Why an upstream call failed before or while its body was read. */
export class UpstreamFailure extends Error {
  override name = 'UpstreamFailure'
  constructor(
    readonly reason: 'connect' | 'first-byte' | 'idle' | 'total' | 'network' | 'aborted',
    message: string,
  ) {
    super(message)
  }
}

/** What one upstream HTTP call needs. */
export interface UpstreamRequest {
  url: string
  headers: Record<string, string>
  body: string
  stream: boolean
  timeouts: Timeouts
  /** The client's own signal: its disconnect aborts the upstream call. */
  clientSignal?: AbortSignal
  fetch?: typeof fetch
  /** The outbound proxy for this call, or `null` for none (also stops Bun applying HTTP_PROXY by itself); unset: leave to fetch. */
  proxy?: string | null
}

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>

/** Reads an upstream body chunk by chunk (the subset of a stream reader the relays use). */
export interface BodyReader {
  read(): Promise<ReadResult>
  cancel(reason?: unknown): Promise<void>
}

/** An upstream response; `watch` reads its body under the first-byte and idle timeouts. */
export interface UpstreamResponse {
  response: Response
  /** Aborts the upstream call (idempotent). */
  abort: (reason: UpstreamFailure) => void
  /** Set when the call was aborted by a timeout or the client. */
  failure: () => UpstreamFailure | undefined
  /** Releases the timer and client listener of a non-streamed call once its body was read (no-op for streams). */
  settle: () => void
  /**
   * A reader of `body` (the response's body, or a logged copy of it) that enforces the stream timeouts:
   * first byte within `firstByteMs`, then never quiet for `idleMs`. No stream layer is added: the relay
   * reads the native body through it.
   */
  watch: (body: ReadableStream<Uint8Array>) => BodyReader
}

/**
 * POSTs to an upstream with timeouts. A stream must send headers within `connectMs`, its first body byte
 * within `firstByteMs` of the start, then never go quiet for `idleMs` (enforced by the reader `watch` gives).
 * A non-streamed call must be read whole within `totalMs`; its body stays native and the caller calls `settle()` after.
 */
export async function callUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
  const controller = new AbortController()
  let failure: UpstreamFailure | undefined
  const abort = (reason: UpstreamFailure) => {
    if (controller.signal.aborted) return
    failure = reason
    controller.abort(reason)
  }
  const onClientAbort = () => abort(new UpstreamFailure('aborted', 'client disconnected'))
  if (request.clientSignal?.aborted) onClientAbort()
  request.clientSignal?.addEventListener('abort', onClientAbort, { once: true })

  const { timeouts } = request
  const headerLimit = request.stream ? Math.min(timeouts.connectMs, timeouts.firstByteMs) : timeouts.totalMs
  const headerTimer = setTimeout(
    () => abort(new UpstreamFailure(request.stream ? 'connect' : 'total', `no response from upstream within ${headerLimit} ms`)),
    headerLimit,
  )
  let response: Response
  try {
    response = await (request.fetch ?? fetch)(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      redirect: 'manual',
      ...(request.proxy === undefined ? {} : { proxy: request.proxy ?? false }),
    } as RequestInit)
  } catch (error) {
    clearTimeout(headerTimer)
    request.clientSignal?.removeEventListener('abort', onClientAbort)
    throw failure ?? new UpstreamFailure('network', describeNetworkError(error))
  }
  const release = () => request.clientSignal?.removeEventListener('abort', onClientAbort)
  const settle = () => {
    clearTimeout(headerTimer)
    release()
  }
  // A non-streamed call keeps one timer for the whole exchange, so reading its body stays on the native path.
  if (!request.stream) return { response, abort, failure: () => failure, settle, watch: (body) => watchedReader(body, undefined, undefined, abort, settle) }
  clearTimeout(headerTimer)
  return { response, abort, failure: () => failure, settle: () => {}, watch: (body) => watchedReader(body, timeouts.firstByteMs, timeouts.idleMs, abort, release) }
}

/** Wraps a body's reader with a timer: `firstMs` for the first chunk, then `idleMs` between chunks (undefined: no timer of its own). */
function watchedReader(
  body: ReadableStream<Uint8Array>,
  firstMs: number | undefined,
  idleMs: number | undefined,
  abort: (reason: UpstreamFailure) => void,
  onDone: () => void,
): BodyReader {
  const reader = body.getReader()
  const fail = (failure: UpstreamFailure) => {
    abort(failure)
    reader.cancel(failure).catch(() => {})
  }
  let timer = firstMs === undefined ? undefined : setTimeout(() => fail(new UpstreamFailure('first-byte', `upstream sent no data within ${firstMs} ms`)), firstMs)
  let idle = false
  let settled = false
  const finish = () => {
    clearTimeout(timer)
    if (settled) return
    settled = true
    onDone()
  }
  return {
    async read() {
      let next: ReadResult
      try {
        next = await reader.read()
      } catch (error) {
        finish()
        throw error
      }
      if (next.done) finish()
      else if (idle) timer?.refresh()
      else if (idleMs !== undefined) {
        idle = true
        clearTimeout(timer)
        timer = setTimeout(() => fail(new UpstreamFailure('idle', `upstream sent nothing for ${idleMs} ms`)), idleMs)
      }
      return next
    },
    cancel(reason) {
      abort(new UpstreamFailure('aborted', 'client disconnected'))
      finish()
      return reader.cancel(reason)
    },
  }
}

/** A watched reader as a stream again (for consumers that take a stream). */
export function readerStream(reader: BodyReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await reader.read()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: string })?.code
  const message = (error as Error)?.message ?? String(error)
  if (code === 'ConnectionRefused' || code === 'ECONNREFUSED') return 'connection refused by upstream'
  if (code === 'ENOTFOUND' || /getaddrinfo|DNS/i.test(message)) return 'upstream host name not found'
  if (code === 'ECONNRESET' || /reset|closed/i.test(message)) return 'upstream closed the connection'
  if (/certificate|TLS|SSL/i.test(message)) return `TLS error talking to upstream: ${message}`
  return `cannot reach upstream: ${message}`
}

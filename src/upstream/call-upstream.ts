import type { Timeouts } from '../services/registry'

/** Why an upstream call failed before or while its body was read. */
export class UpstreamFailure extends Error {
  override name = 'UpstreamFailure'
  constructor(
    readonly reason: 'connect' | 'first-byte' | 'idle' | 'total' | 'network' | 'aborted' | 'shutdown',
    message: string,
  ) {
    super(message)
  }
}

/**
 * The upstream calls in progress, ended together when modelmux shuts down: each ends as a `shutdown` failure
 * (a stream with the client format's in-band error), and a call started after that fails at once.
 */
export class ShutdownSwitch {
  // Held weakly: a long-lived set holding the calls themselves would keep every call in progress through a young
  // collection, so each request's garbage (its buffers among it) would wait for a full one (RSS doubled under load).
  #calls = new Set<WeakRef<() => void>>()
  #tripped = false
  /** True once shutdown has ended the calls. */
  get tripped(): boolean {
    return this.#tripped
  }
  /** Registers a call's stop function, which the call must keep alive until `leave`; undefined once tripped. */
  enter(stop: () => void): WeakRef<() => void> | undefined {
    if (this.#tripped) return undefined
    const entry = new WeakRef(stop)
    this.#calls.add(entry)
    return entry
  }
  /** Unregisters a call; taking its stop function is what keeps that alive while the call runs. */
  leave(entry: WeakRef<() => void> | undefined, stop: () => void): void {
    if (entry && entry.deref() === stop) this.#calls.delete(entry)
  }
  /** Ends every call in progress and every later one. */
  trip(): void {
    this.#tripped = true
    const calls = [...this.#calls]
    this.#calls.clear()
    for (const entry of calls) entry.deref()?.()
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
  /** modelmux's shutdown, which ends the call. */
  shutdown?: ShutdownSwitch
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
  /** Releases the timer and client listener once the body was read without `watch` (a watched body releases them itself). */
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
  // Which limit the deadline stands for now, so its expiry names the right failure.
  let phase: { reason: UpstreamFailure['reason']; message: string }
  // The body being read, woken with the failure when a limit passes (a wrapped body may not see the abort).
  let reading: ReadableStreamDefaultReader<Uint8Array> | undefined
  const end = (reason: UpstreamFailure) => {
    abort(reason)
    reading?.cancel(reason).catch(() => {})
  }
  const deadline = createDeadline(() => end(new UpstreamFailure(phase.reason, phase.message)))
  const onShutdown = () => end(new UpstreamFailure('shutdown', 'modelmux is shutting down'))
  const shutdownEntry = request.shutdown?.enter(onShutdown)
  if (request.shutdown?.tripped) onShutdown()
  const limit = (ms: number, reason: UpstreamFailure['reason'], message: string) => {
    phase = { reason, message }
    deadline.in(ms)
  }
  const headerLimit = request.stream ? Math.min(timeouts.connectMs, timeouts.firstByteMs) : timeouts.totalMs
  limit(headerLimit, request.stream ? 'connect' : 'total', `no response from upstream within ${headerLimit} ms`)
  // Releases the timer, the client listener and the shutdown entry, once the call is over.
  const settle = () => {
    deadline.clear()
    request.clientSignal?.removeEventListener('abort', onClientAbort)
    request.shutdown?.leave(shutdownEntry, onShutdown)
  }
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
    settle()
    throw failure ?? new UpstreamFailure('network', describeNetworkError(error))
  }
  // A non-streamed call keeps one limit for the whole exchange, so reading its body stays on the native path.
  const onCancel = () => abort(new UpstreamFailure('aborted', 'client disconnected'))
  const watch = (onChunk: (() => void) | undefined) => (body: ReadableStream<Uint8Array>) => {
    reading = body.getReader()
    return watchedReader(reading, { onChunk, onDone: settle, onCancel })
  }
  if (!request.stream) return { response, abort, failure: () => failure, settle, watch: watch(undefined) }
  limit(timeouts.firstByteMs, 'first-byte', `upstream sent no data within ${timeouts.firstByteMs} ms`)
  const onChunk = () => limit(timeouts.idleMs, 'idle', `upstream sent nothing for ${timeouts.idleMs} ms`)
  return { response, abort, failure: () => failure, settle, watch: watch(onChunk) }
}

/**
 * One timer for a call's successive limits. Moving the deadline later costs nothing: the timer, when it
 * fires early, re-arms itself for what is left; only a deadline earlier than the armed one re-arms it.
 */
function createDeadline(onExpire: () => void) {
  let deadline = Infinity
  let firesAt = Infinity
  let timer: ReturnType<typeof setTimeout> | undefined
  const arm = (ms: number) => {
    firesAt = performance.now() + ms
    timer = setTimeout(fire, ms)
  }
  const fire = () => {
    timer = undefined
    firesAt = Infinity
    const left = deadline - performance.now()
    if (left > 0) return arm(left)
    deadline = Infinity
    onExpire()
  }
  return {
    /** Expires `ms` from now (replacing the previous deadline). */
    in(ms: number): void {
      deadline = performance.now() + ms
      if (deadline >= firesAt) return
      clearTimeout(timer)
      arm(ms)
    },
    clear(): void {
      deadline = Infinity
      firesAt = Infinity
      clearTimeout(timer)
      timer = undefined
    },
  }
}

/** Wraps a body's reader: `onChunk` after every chunk (moves the idle deadline), `onDone` once at its end, error or cancel. */
function watchedReader(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  hooks: { onChunk?: () => void; onDone: () => void; onCancel: () => void },
): BodyReader {
  const { onChunk, onDone, onCancel } = hooks
  let settled = false
  const finish = () => {
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
      else onChunk?.()
      return next
    },
    cancel(reason) {
      // Cancelling a live body means its reader went away; after a failed read the failure already says why.
      if (!settled) onCancel()
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

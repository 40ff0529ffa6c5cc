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

/** An upstream response whose body enforces the idle and first-byte timeouts. */
export interface UpstreamResponse {
  response: Response
  /** Aborts the upstream call (idempotent). */
  abort: (reason: UpstreamFailure) => void
  /** Set when the call was aborted by a timeout or the client. */
  failure: () => UpstreamFailure | undefined
  /** Releases the timer and client listener of a non-streamed call once its body was read (no-op for streams). */
  settle: () => void
}

/**
 * POSTs to an upstream with timeouts. A stream must send headers within `connectMs`, its first body byte
 * within `firstByteMs` of the start, then never go quiet for `idleMs`. A non-streamed call must be read
 * whole within `totalMs`; its body stays native (no JS stream layer) and the caller calls `settle()` after.
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
  const settle = () => {
    clearTimeout(headerTimer)
    request.clientSignal?.removeEventListener('abort', onClientAbort)
  }
  // A non-streamed call keeps one timer for the whole exchange, so reading its body stays on the native path.
  if (!request.stream || !response.body) return { response, abort, failure: () => failure, settle }
  clearTimeout(headerTimer)
  const body = watchBody(response.body, timeouts, request.stream, abort, () => {
    request.clientSignal?.removeEventListener('abort', onClientAbort)
  })
  return {
    response: new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }),
    abort,
    failure: () => failure,
    settle: () => {},
  }
}

function watchBody(
  body: ReadableStream<Uint8Array>,
  timeouts: Timeouts,
  stream: boolean,
  abort: (reason: UpstreamFailure) => void,
  onDone: (error?: unknown) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  const fail = (failure: UpstreamFailure) => {
    abort(failure)
    reader.cancel(failure).catch(() => {})
  }
  const firstLimit = stream ? timeouts.firstByteMs : timeouts.totalMs
  let timer = setTimeout(() => fail(new UpstreamFailure('first-byte', `upstream sent no data within ${firstLimit} ms`)), firstLimit)
  let idle = false
  let settled = false
  const finish = (error?: unknown) => {
    clearTimeout(timer)
    if (settled) return
    settled = true
    onDone(error)
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read()
          if (done) {
            finish()
            controller.close()
            return
          }
          if (idle) timer.refresh()
          else if (stream) {
            idle = true
            clearTimeout(timer)
            timer = setTimeout(() => fail(new UpstreamFailure('idle', `upstream sent nothing for ${timeouts.idleMs} ms`)), timeouts.idleMs)
          }
          controller.enqueue(value)
        } catch (error) {
          finish(error)
          controller.error(error)
        }
      },
      cancel(reason) {
        abort(new UpstreamFailure('aborted', 'client disconnected'))
        finish(reason ?? 'cancelled')
        return reader.cancel(reason)
      },
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

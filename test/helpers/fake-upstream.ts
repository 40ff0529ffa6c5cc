import type { Server } from 'bun'

/** One request the fake upstream received. */
export interface ReceivedRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: string
}

/** What the fake answers: a status, headers and body parts sent one by one (with optional pauses). */
export interface FakeReply {
  status?: number
  headers?: Record<string, string>
  /** `cut` breaks the connection mid-body (no terminating chunk), as a dropped upstream does. */
  parts: (string | { pause: Promise<void> } | { delayMs: number } | { cut: true })[]
}

/** A local stand-in for a provider: records requests and answers with scripted replies. */
export interface FakeUpstream extends AsyncDisposable {
  url: string
  received: ReceivedRequest[]
  /** Sets the reply for the next requests (a function may vary it by request). */
  reply(next: FakeReply | ((request: ReceivedRequest) => FakeReply)): void
  /** Resolves when the client side of a streamed reply was cancelled. */
  cancelled: Promise<void>
  server: Server<undefined>
}

/** Starts a fake provider on 127.0.0.1 with port 0. */
export function startFakeUpstream(): FakeUpstream {
  const received: ReceivedRequest[] = []
  let current: FakeReply | ((request: ReceivedRequest) => FakeReply) = { parts: ['{}'] }
  const cancelled = Promise.withResolvers<void>()
  const encoder = new TextEncoder()
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url)
      const entry: ReceivedRequest = {
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      }
      received.push(entry)
      const reply = typeof current === 'function' ? current(entry) : current
      // Each request gets its own copy, so a reply can serve many requests.
      const parts = [...reply.parts]
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          // Keep going until something is enqueued: a pull that resolves empty-handed is not called again.
          for (;;) {
            const part = parts.shift()
            if (part === undefined) return controller.close()
            if (typeof part === 'string') return controller.enqueue(encoder.encode(part))
            if ('cut' in part) return controller.error(new Error('connection cut'))
            if ('pause' in part) await part.pause
            else await Bun.sleep(part.delayMs)
          }
        },
        cancel() {
          cancelled.resolve()
        },
      }, { highWaterMark: 0 })
      return new Response(body, { status: reply.status ?? 200, headers: reply.headers ?? { 'content-type': 'application/json' } })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    reply(next) {
      current = next
    },
    cancelled: cancelled.promise,
    server,
    async [Symbol.asyncDispose]() {
      await server.stop(true)
    },
  }
}

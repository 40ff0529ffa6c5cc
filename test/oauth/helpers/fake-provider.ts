import type { Server } from 'bun'

/** One request the fake provider received. */
export interface FakeCall {
  method: string
  path: string
  query: URLSearchParams
  headers: Record<string, string>
  body: string
  /** The body parsed as JSON or a form, whichever it is. */
  fields: Record<string, any>
}

type Handler = (call: FakeCall) => Response | Record<string, unknown> | unknown[] | Promise<Response | Record<string, unknown>>

/** A local stand-in for a provider's OAuth server, account APIs and model API, on 127.0.0.1 port 0. */
export interface FakeProvider extends AsyncDisposable {
  url: string
  calls: FakeCall[]
  /** Sets the handler of `METHOD /path` (or `/path` for any method). */
  on(route: string, handler: Handler): void
  /** Calls to a path (any method). */
  callsTo(path: string): FakeCall[]
  server: Server<undefined>
}

export function startFakeProvider(): FakeProvider {
  const routes = new Map<string, Handler>()
  const calls: FakeCall[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url)
      const body = await request.text()
      let fields: Record<string, any> = {}
      const type = request.headers.get('content-type') ?? ''
      if (type.includes('json')) fields = body ? JSON.parse(body) : {}
      else if (type.includes('form')) fields = Object.fromEntries(new URLSearchParams(body))
      const call: FakeCall = { method: request.method, path: url.pathname, query: url.searchParams, headers: Object.fromEntries(request.headers), body, fields }
      calls.push(call)
      const handler = routes.get(`${request.method} ${url.pathname}`) ?? routes.get(url.pathname)
      if (!handler) return Response.json({ error: `fake: no route ${request.method} ${url.pathname}` }, { status: 404 })
      const answer = await handler(call)
      return answer instanceof Response ? answer : Response.json(answer)
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    on(route, handler) {
      routes.set(route, handler)
    },
    callsTo(path) {
      return calls.filter((call) => call.path === path)
    },
    server,
    async [Symbol.asyncDispose]() {
      await server.stop(true)
    },
  }
}

/** An unsigned JWT carrying `claims` (what an id_token looks like to a client that only reads it). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.sig`
}

/** An SSE body from events. */
export function sse(events: ({ event?: string; data: unknown } | string)[]): string {
  return events
    .map((event) => (typeof event === 'string' ? `data: ${event}\n\n` : `${event.event ? `event: ${event.event}\n` : ''}data: ${JSON.stringify(event.data)}\n\n`))
    .join('')
}

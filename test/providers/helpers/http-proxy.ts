import type { Server } from 'bun'

/** A tiny forward HTTP proxy on 127.0.0.1 (absolute-form requests; no CONNECT) that maps made-up host names to local servers. */
export interface TestProxy extends AsyncDisposable {
  url: string
  /** `METHOD absolute-url` of every request it forwarded. */
  seen: string[]
  server: Server<undefined>
}

/** Starts the proxy; `routes` maps a host (`api.example.test`) to a local base URL. */
export function startHttpProxy(routes: Record<string, string>): TestProxy {
  const seen: string[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url)
      seen.push(`${request.method} ${url.href}`)
      const target = routes[url.host]
      if (!target) return new Response(`proxy: no route to ${url.host}`, { status: 502 })
      const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer()
      return fetch(target + url.pathname + url.search, { method: request.method, headers: request.headers, body, proxy: false } as RequestInit)
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    seen,
    server,
    async [Symbol.asyncDispose]() {
      await server.stop(true)
    },
  }
}

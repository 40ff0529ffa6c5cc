/**
 * A reference floor, run as its own process: `UPSTREAM=<fake url> bun bench/bare-proxy.ts`.
 * The least a Bun proxy can do: parse the JSON body, set `model`, POST it to the same path on the
 * fake upstream and hand the upstream body straight back (no auth, routing, timeouts, accounting
 * or SSE rewriting). Prints `bare proxy listening on <url>` when ready.
 * @module
 */
const upstream = process.env.UPSTREAM
if (!upstream) throw new Error('UPSTREAM is required')

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  idleTimeout: 0,
  async fetch(request) {
    const body = JSON.parse(await request.text()) as Record<string, unknown>
    body.model = 'bench-model'
    const path = request.url.slice(request.url.indexOf('/', 8))
    const answer = await fetch(upstream + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return new Response(answer.body, { status: answer.status, headers: { 'content-type': answer.headers.get('content-type') ?? 'application/json' } })
  },
})

process.stdout.write(`bare proxy listening on http://127.0.0.1:${server.port}\n`)
process.once('SIGTERM', () => {
  server.stop(true)
  process.exit(0)
})

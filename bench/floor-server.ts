/**
 * A reference floor for memory, compiled like modelmux (`--reference`): the smallest Bun server, answering
 * every request with `ok`. Its idle RSS is what the runtime itself holds before any application code.
 * Prints `floor server listening on <url>` when ready.
 * @module
 */
const listener = Bun.serve({ port: 0, hostname: '127.0.0.1', idleTimeout: 0, fetch: () => new Response('ok') })

process.stdout.write(`floor server listening on http://127.0.0.1:${listener.port}\n`)
process.once('SIGTERM', () => {
  listener.stop(true)
  process.exit(0)
})

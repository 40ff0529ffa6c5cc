import type { Subprocess } from 'bun'

/** A modelmux process started from source, with its URL once it printed it. */
export interface SpawnedServer extends AsyncDisposable {
  url: string
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  /** Everything printed to stdout before the server became ready. */
  banner: string
}

/** Spawns `bun run src/main.ts` (or the given command) and waits for the "listening on" line. */
export async function spawnServer(env: Record<string, string>, command: string[] = ['bun', 'run', 'src/main.ts']): Promise<SpawnedServer> {
  const proc = Bun.spawn(command, { env: { ...process.env, PORT: '0', ...env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const reader = proc.stdout.getReader()
  const decoder = new TextDecoder()
  let banner = ''
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(banner)
    if (match && banner.includes('Dashboard:')) {
      // Keep draining stdout so the child never blocks on a full pipe.
      void (async () => {
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) banner += decoder.decode(chunk.value)
      })()
      return {
        url: match[1],
        proc,
        get banner() {
          return banner
        },
        async [Symbol.asyncDispose]() {
          proc.kill('SIGKILL')
          await proc.exited
        },
      }
    }
    const chunk = await reader.read()
    if (chunk.done) throw new Error(`modelmux exited before listening: ${banner}${await new Response(proc.stderr).text()}`)
    banner += decoder.decode(chunk.value)
  }
}

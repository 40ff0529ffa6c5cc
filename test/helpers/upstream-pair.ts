import { startFakeUpstream, type FakeUpstream } from './fake-upstream'
import { startTestServer, type TestServer } from './test-server'

/** A fake provider and a modelmux whose connections point at it; both stopped on dispose. */
export interface UpstreamPair extends AsyncDisposable {
  upstream: FakeUpstream
  modelmux: TestServer
}

/** Starts a fake provider, then modelmux configured by `config(upstreamUrl)`. */
export async function startUpstreamPair(config: (upstreamUrl: string) => unknown, env: Record<string, string> = {}): Promise<UpstreamPair> {
  const upstream = startFakeUpstream()
  const modelmux = await startTestServer(config(upstream.url), env)
  return {
    upstream,
    modelmux,
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      await upstream[Symbol.asyncDispose]()
    },
  }
}

/** POSTs a JSON body. */
export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

/** Splits SSE text into events with their names and joined data lines. */
export function parseSse(text: string): { event?: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n')
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7)
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n')
      return { event, data }
    })
}

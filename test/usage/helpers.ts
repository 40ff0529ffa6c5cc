import { Elysia } from 'elysia'
import { apiRoutes } from '../../src/routes/api'
import { metricsRoutes } from '../../src/routes/metrics'
import { usageApiRoutes } from '../../src/routes/usage-api'
import type { AppContext } from '../../src/services/context'
import { startFakeUpstream, type FakeReply, type FakeUpstream } from '../helpers/fake-upstream'
import { readBody, readChunks } from '../helpers/recorded'
import { startTestServer, type TestServer } from '../helpers/test-server'

/** SSE bytes of a recorded stream: `event:` lines for Anthropic and Responses, bare `data:` for Gemini, `[DONE]` for OpenAI chat. */
export function recordedStream(path: string, style: 'named' | 'data' | 'openai'): FakeReply {
  const chunks = readChunks(path)
  const parts =
    style === 'named'
      ? chunks.map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`)
      : [...chunks.map((line) => `data: ${line}\n\n`), ...(style === 'openai' ? ['data: [DONE]\n\n'] : [])]
  return { headers: { 'content-type': 'text/event-stream' }, parts }
}

/** A recorded non-stream body as a JSON reply. */
export function recordedJson(path: string): FakeReply {
  return { parts: [readBody(path)] }
}

/** Client request paths and bodies per inbound format. */
export function clientCall(format: 'openai-chat' | 'anthropic-messages' | 'openai-responses' | 'gemini', model: string, stream: boolean): { path: string; body: unknown } {
  switch (format) {
    case 'openai-chat':
      return { path: '/v1/chat/completions', body: { model, stream, messages: [{ role: 'user', content: 'hello there' }] } }
    case 'anthropic-messages':
      return { path: '/v1/messages', body: { model, stream, max_tokens: 256, messages: [{ role: 'user', content: 'hello there' }] } }
    case 'openai-responses':
      return { path: '/v1/responses', body: { model, stream, input: 'hello there' } }
    case 'gemini':
      return { path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, body: { contents: [{ role: 'user', parts: [{ text: 'hello there' }] }] } }
  }
}

/** The management routes this suite exercises, mounted on a server's context (whether or not app.ts mounts them yet). */
export function managementApp(context: AppContext) {
  return new Elysia().use(apiRoutes(context)).use(usageApiRoutes(context)).use(metricsRoutes(context))
}

/** Signs in through the real login route and returns the session cookie. */
export async function signIn(app: { handle(request: Request): Promise<Response> }): Promise<string> {
  const login = await app.handle(
    new Request('http://127.0.0.1/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"test-password-1"}' }),
  )
  return (login.headers.get('set-cookie') ?? '').split(';')[0]
}

/** One upstream of each wire format plus a modelmux pointing at them. */
export interface UsageEnv extends AsyncDisposable {
  modelmux: TestServer
  upstreams: Record<'openai' | 'anthropic' | 'gemini' | 'responses' | 'backup', FakeUpstream>
  call(format: Parameters<typeof clientCall>[0], model: string, stream: boolean, headers?: Record<string, string>): Promise<Response>
  rows(table: 'usage_events' | 'attempts' | 'usage_hourly' | 'request_logs'): Promise<Record<string, any>[]>
  context: AppContext
}

/** Starts the fakes and a modelmux with one connection per format (`oa`, `an`, `ge`, `rs`) and a combo `stack`. */
export async function startUsageEnv(settings: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<UsageEnv> {
  const upstreams = {
    openai: startFakeUpstream(),
    anthropic: startFakeUpstream(),
    gemini: startFakeUpstream(),
    responses: startFakeUpstream(),
    backup: startFakeUpstream(),
  }
  const modelmux = await startTestServer(
    {
      connections: [
        { name: 'oa-conn', provider: 'openai-compatible', prefix: 'oa', baseUrl: `${upstreams.openai.url}/v1`, apiKey: 'sk-upstream-openai-secret' },
        { name: 'an-conn', provider: 'anthropic-compatible', prefix: 'an', baseUrl: `${upstreams.anthropic.url}/v1`, apiKey: 'sk-ant-upstream-secret' },
        { name: 'ge-conn', provider: 'gemini-compatible', prefix: 'ge', baseUrl: `${upstreams.gemini.url}/v1beta`, apiKey: 'AIzaUpstreamGeminiSecret000000000' },
        { name: 'rs-conn', provider: 'responses-compatible', prefix: 'rs', baseUrl: `${upstreams.responses.url}/v1`, apiKey: 'sk-upstream-responses-secret' },
        { name: 'backup-conn', provider: 'openai-compatible', prefix: 'bk', baseUrl: `${upstreams.backup.url}/v1`, apiKey: 'sk-upstream-backup-secret' },
      ],
      combos: [{ name: 'stack', models: ['an/claude-sonnet-4-5', 'bk/gpt-4.1'] }],
      aliases: { 'my-stack': 'stack' },
      settings: { timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 }, ...settings },
      ...extra,
    },
    env,
  )
  const context = modelmux.server.context
  return {
    modelmux,
    upstreams,
    context,
    call(format, model, stream, headers = {}) {
      const { path, body } = clientCall(format, model, stream)
      return fetch(`${modelmux.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
    },
    async rows(table) {
      await context.usage.flush()
      return context.db.query(`SELECT * FROM ${table} ORDER BY 1`).all() as Record<string, any>[]
    },
    async [Symbol.asyncDispose]() {
      await modelmux[Symbol.asyncDispose]()
      for (const upstream of Object.values(upstreams)) await upstream[Symbol.asyncDispose]()
    },
  }
}

/**
 * Benchmark scenarios as data. A scenario names the path a client calls, the body it sends and
 * which recorded upstream reply the fake provider answers with. Adding a scenario (for example a
 * cross-format pair such as "OpenAI client → Anthropic upstream") means adding an entry here:
 * the reply's `format` decides which kind of connection modelmux is configured with.
 * @module
 */

/** The wire format an upstream speaks (the modelmux format ids). */
export type UpstreamFormat = 'openai-chat' | 'anthropic-messages'

/** One canned upstream answer, replayed by the fake provider from the recorded fixtures. */
export interface UpstreamReply {
  /** Short id: also the modelmux connection prefix and the fake's URL segment. */
  id: string
  format: UpstreamFormat
  /** `json`: a whole non-stream body; `sse`: recorded chunks replayed as server-sent events, without delays. */
  kind: 'json' | 'sse'
  /** Fixture path under the recorded folder (`*.json` for `json`, `*.chunks.txt` for `sse`). */
  file: string
}

/** One measured client call: `{ name, client path, request body, upstream reply kind }`. */
export interface Scenario {
  name: string
  /** Path on modelmux the client POSTs to. */
  clientPath: '/v1/chat/completions' | '/v1/messages'
  /** Extra request headers the client sends (e.g. `anthropic-version`). */
  headers?: Record<string, string>
  /** Request body; `model` is filled in by the bench (`<reply id>/bench-model`). */
  body: Record<string, unknown>
  /** Id of the `UpstreamReply` the fake answers with. */
  reply: string
  /** For a cross-format pair: the passthrough scenario of the same reply it is compared with. */
  passthrough?: string
}

/** The canned upstream answers the fake provider serves. */
export const replies: UpstreamReply[] = [
  { id: 'oa-json', format: 'openai-chat', kind: 'json', file: 'openai-chat/openai-text.json' },
  { id: 'oa-sse', format: 'openai-chat', kind: 'sse', file: 'openai-chat/openai-text.chunks.txt' },
  { id: 'an-sse', format: 'anthropic-messages', kind: 'sse', file: 'anthropic/anthropic-text.chunks.txt' },
  { id: 'an-json', format: 'anthropic-messages', kind: 'json', file: 'anthropic/anthropic-text.json' },
]

const openaiMessages = [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }]
const anthropicHeaders = { 'anthropic-version': '2023-06-01' }

/**
 * The measured scenarios, in run order. A cross-format pair names a reply in another format than its
 * client path, e.g. `{ name: 'openai → anthropic stream', clientPath: '/v1/chat/completions',
 * body: { stream: true, messages }, reply: 'an-sse' }`; its direct baseline is the upstream call alone.
 */
export const scenarios: Scenario[] = [
  { name: 'openai json', clientPath: '/v1/chat/completions', body: { messages: openaiMessages }, reply: 'oa-json' },
  { name: 'openai stream', clientPath: '/v1/chat/completions', body: { stream: true, messages: openaiMessages }, reply: 'oa-sse' },
  {
    name: 'anthropic stream',
    clientPath: '/v1/messages',
    headers: anthropicHeaders,
    body: { stream: true, max_tokens: 1024, messages: openaiMessages },
    reply: 'an-sse',
  },
  { name: 'anthropic json', clientPath: '/v1/messages', headers: anthropicHeaders, body: { max_tokens: 1024, messages: openaiMessages }, reply: 'an-json' },
  // Cross-format pairs (translated through the IR); each is compared with the passthrough of the same reply.
  { name: 'openai → anthropic json', clientPath: '/v1/chat/completions', body: { messages: openaiMessages }, reply: 'an-json', passthrough: 'anthropic json' },
  { name: 'openai → anthropic stream', clientPath: '/v1/chat/completions', body: { stream: true, messages: openaiMessages }, reply: 'an-sse', passthrough: 'anthropic stream' },
  { name: 'anthropic → openai json', clientPath: '/v1/messages', headers: anthropicHeaders, body: { max_tokens: 1024, messages: openaiMessages }, reply: 'oa-json', passthrough: 'openai json' },
  {
    name: 'anthropic → openai stream',
    clientPath: '/v1/messages',
    headers: anthropicHeaders,
    body: { stream: true, max_tokens: 1024, messages: openaiMessages },
    reply: 'oa-sse',
    passthrough: 'openai stream',
  },
]

/** Concurrency levels every scenario runs at. */
export const concurrencies = [1, 32]

/** The wire format a client speaks on a modelmux path. */
export function clientFormat(scenario: Scenario): UpstreamFormat {
  return scenario.clientPath === '/v1/messages' ? 'anthropic-messages' : 'openai-chat'
}

/** Text the last 64 bytes of a complete answer in a format contain; a response without it counts as an error. */
export function endMarker(format: UpstreamFormat, stream: boolean): string {
  if (!stream) return '}'
  return format === 'openai-chat' ? 'data: [DONE]' : 'message_stop'
}

/** The upstream path (after the connection's `/v1` base) a format's requests go to. */
export function upstreamPath(format: UpstreamFormat): string {
  return format === 'openai-chat' ? '/chat/completions' : '/messages'
}

/** The modelmux connection provider that speaks an upstream format. */
export function providerFor(format: UpstreamFormat): string {
  return format === 'openai-chat' ? 'openai-compatible' : 'anthropic-compatible'
}

/** Looks up a reply by id; throws on a scenario that names an unknown reply. */
export function replyFor(scenario: Scenario): UpstreamReply {
  const reply = replies.find((candidate) => candidate.id === scenario.reply)
  if (!reply) throw new Error(`scenario "${scenario.name}" names unknown reply "${scenario.reply}"`)
  return reply
}

/** Whether a scenario asks for a streamed answer. */
export function isStream(scenario: Scenario): boolean {
  return scenario.body.stream === true
}

/** The modelmux config file pointing one connection per reply at the fake upstream. */
export function modelmuxConfig(fakeUrl: string): object {
  return {
    connections: replies.map((reply) => ({
      name: `bench-${reply.id}`,
      provider: providerFor(reply.format),
      prefix: reply.id,
      baseUrl: `${fakeUrl}/r/${reply.id}/v1`,
      apiKey: 'bench-upstream-key',
      models: ['bench-model'],
    })),
  }
}

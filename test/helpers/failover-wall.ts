/**
 * A local stand-in for failoverbench's "wall": an OpenAI Chat Completions provider that misbehaves on
 * purpose, chosen by model name (`fb-s01-…` … `fb-s16-…`; `fb-ok` and `fb-ok-noprefill` are healthy).
 * It speaks raw HTTP/1.1 over TCP so it can do what a real server cannot be asked to: close before any
 * header, stay silent, end a chunked body without its terminating chunk. Timings are failoverbench's
 * scaled down by `profile` so the whole catalogue runs in seconds.
 * @see https://github.com/failoverbench/failoverbench (scenarios/catalogue.yaml, failoverbench/wall.py)
 */
import type { Socket } from 'bun'

/** failoverbench's fixed 60-word answer: anything else reaching a client as a success is a truncation. */
export const CANONICAL_ANSWER =
  'A gateway earns trust only when the provider behind it misbehaves. Rate limits arrive without warning, streams die halfway through a sentence, servers answer with malformed bytes, and a healthy model returns to service while the breaker is still open. This answer contains exactly sixty words so that a truncated response can never be mistaken for a complete one again.'
export const PROMPT = 'Explain in exactly sixty words why a gateway earns trust only when the provider behind it misbehaves.'

/** Timings (ms) of the faults. failoverbench's full profile: 2000, 20000, 30000, 120000, 60000, 15. */
export interface WallProfile {
  retryAfterS: number
  slowTtftMs: number
  stallMs: number
  noResponseMs: number
  flapDownMs: number
  tokenIntervalMs: number
}

/** One request as the wall saw it: the model, when (ms since the last reset) and what it did. */
export interface WallLogEntry {
  model: string
  atMs: number
  action: string
  promptTokens: number
}

const WORDS = CANONICAL_ANSWER.split(' ')
const CUT_AFTER = 40
const STALL_AFTER = 20
const MALFORMED_AT = 10

interface Request {
  path: string
  body: Record<string, any>
}

/** Starts the wall on 127.0.0.1, port 0. */
export function startWall(profile: WallProfile) {
  const log: WallLogEntry[] = []
  const attempts = new Map<string, number>()
  let resetAt = performance.now()
  let sequence = 0

  const listener = Bun.listen<{ buffer: Buffer; busy: boolean }>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open(socket) {
        socket.data = { buffer: Buffer.alloc(0), busy: false }
      },
      data(socket, chunk) {
        socket.data.buffer = Buffer.concat([socket.data.buffer, chunk])
        void next(socket)
      },
    },
  })

  /** Serves the next complete request on a connection, one at a time (keep-alive). */
  async function next(socket: Socket<{ buffer: Buffer; busy: boolean }>): Promise<void> {
    if (socket.data.busy) return
    const { buffer } = socket.data
    const headEnd = buffer.indexOf('\r\n\r\n')
    if (headEnd === -1) return
    const head = buffer.subarray(0, headEnd).toString('latin1').split('\r\n')
    const length = Number(/^content-length:\s*(\d+)$/im.exec(head.join('\n'))?.[1] ?? 0)
    if (buffer.length < headEnd + 4 + length) return
    socket.data.buffer = buffer.subarray(headEnd + 4 + length)
    socket.data.busy = true
    let body: Record<string, any> = {}
    try {
      body = JSON.parse(buffer.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8'))
    } catch {}
    const keepOpen = await serve(socket, { path: head[0].split(' ')[1] ?? '/', body })
    socket.data.busy = false
    if (keepOpen) void next(socket)
  }

  const write = (socket: Socket<unknown>, text: string) => socket.write(text)
  const head = (socket: Socket<unknown>, status: number, headers: Record<string, string>) =>
    write(socket, `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Error'}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`)
  const chunk = (socket: Socket<unknown>, text: string) => write(socket, `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`)
  const errorReply = (socket: Socket<unknown>, status: number, message: string, type: string, code: string | null, param: string | null = null, extra: Record<string, string> = {}) => {
    const text = JSON.stringify({ error: { message, type, param, code } })
    head(socket, status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...extra })
    write(socket, text)
    return true
  }
  const event = (model: string, delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: `chatcmpl-fb-${sequence}`, object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`

  /** Streams the answer (or the words after a prefill); `fault` may stop it part-way. Returns whether the connection stays usable. */
  async function stream(
    socket: Socket<unknown>,
    request: Request,
    words: string[],
    fault?: { after: number; then: 'cut' | 'stall' } | { malformedAt: number } | { noDone: true } | { slowFirstMs: number },
  ): Promise<boolean> {
    const model = String(request.body.model)
    head(socket, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'transfer-encoding': 'chunked' })
    if (fault && 'slowFirstMs' in fault) await Bun.sleep(fault.slowFirstMs)
    chunk(socket, event(model, { role: 'assistant', content: '' }))
    for (let index = 0; index < words.length; index++) {
      if (fault && 'after' in fault && index === fault.after) {
        if (fault.then === 'stall') await Bun.sleep(profile.stallMs)
        socket.end()
        return false
      }
      chunk(socket, event(model, { content: index === 0 && words.length === WORDS.length ? words[index] : ` ${words[index]}` }))
      if (fault && 'malformedAt' in fault && index + 1 === fault.malformedAt) chunk(socket, `data: {"id": "chatcmpl-fb-${sequence}", "object": "chat.completion.chunk", "choices": [{"delta": {"content": \n\n`)
      await Bun.sleep(profile.tokenIntervalMs)
    }
    chunk(socket, event(model, {}, 'stop'))
    if (request.body.stream_options?.include_usage) {
      const prompt = promptTokens(request)
      chunk(socket, `data: ${JSON.stringify({ id: `chatcmpl-fb-${sequence}`, object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: prompt, completion_tokens: words.length, total_tokens: prompt + words.length } })}\n\n`)
    }
    if (!(fault && 'noDone' in fault)) chunk(socket, 'data: [DONE]\n\n')
    write(socket, '0\r\n\r\n')
    return true
  }

  function promptTokens(request: Request): number {
    const messages = (request.body.messages ?? []) as { content?: unknown }[]
    return messages.reduce((sum, message) => sum + String(message.content ?? '').split(/\s+/).filter(Boolean).length + 4, 0)
  }

  /** A healthy answer: the whole text, or only what follows a prefill that is a prefix of it. */
  async function healthy(socket: Socket<unknown>, request: Request, model: string, note: (action: string) => void): Promise<boolean> {
    const last = (request.body.messages ?? []).at(-1)
    if (last?.role === 'assistant') {
      if (model === 'fb-ok-noprefill') {
        note('400 prefill_rejected')
        return errorReply(socket, 400, 'This model does not support assistant message prefill. The conversation must end with a user message.', 'invalid_request_error', 'invalid_prefill', 'messages')
      }
      const prefix = String(last.content ?? '').trim()
      if (CANONICAL_ANSWER.startsWith(prefix)) {
        note('200 continuation')
        return stream(socket, request, CANONICAL_ANSWER.slice(prefix.length).trim().split(' '))
      }
    }
    note('200')
    if (!request.body.stream) {
      const text = JSON.stringify({ id: `chatcmpl-fb-${sequence}`, object: 'chat.completion', created: 1, model: request.body.model, choices: [{ index: 0, message: { role: 'assistant', content: CANONICAL_ANSWER }, finish_reason: 'stop' }], usage: { prompt_tokens: 21, completion_tokens: 60, total_tokens: 81 } })
      head(socket, 200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) })
      write(socket, text)
      return true
    }
    return stream(socket, request, WORDS)
  }

  async function serve(socket: Socket<unknown>, request: Request): Promise<boolean> {
    sequence++
    const model = String(request.body.model ?? '').split('/').pop()!.toLowerCase()
    const attempt = (attempts.get(model) ?? 0) + 1
    attempts.set(model, attempt)
    const entry: WallLogEntry = { model, atMs: performance.now() - resetAt, action: '', promptTokens: promptTokens(request) }
    log.push(entry)
    const note = (action: string) => (entry.action = action)
    if (!model.startsWith('fb-')) return errorReply(socket, 404, `The model \`${model}\` does not exist.`, 'invalid_request_error', 'model_not_found', 'model')
    if (model === 'fb-ok' || model === 'fb-ok-noprefill') return healthy(socket, request, model, note)
    const overloaded = () => errorReply(socket, 503, 'The engine is currently overloaded. Please try again later.', 'server_error', 'overloaded')
    switch (model.slice(3, 6)) {
      case 's01':
        if (attempt > 1) return healthy(socket, request, model, note)
        note('429 retry-after')
        return errorReply(socket, 429, `Rate limit reached for ${model}. Please retry after ${profile.retryAfterS} seconds.`, 'rate_limit_error', 'rate_limit_exceeded', null, { 'retry-after': String(profile.retryAfterS) })
      case 's02':
        note('429')
        return errorReply(socket, 429, `Rate limit reached for ${model}.`, 'rate_limit_error', 'rate_limit_exceeded')
      case 's03':
        if (attempt > 1) return healthy(socket, request, model, note)
        note('500')
        return errorReply(socket, 500, 'The server had an error while processing your request.', 'server_error', null)
      case 's04':
      case 's16':
        note('503')
        return overloaded()
      case 's05':
        if (attempt > 1) return healthy(socket, request, model, note)
        note('reset')
        socket.terminate()
        return false
      case 's06':
        note('no response')
        await Bun.sleep(profile.noResponseMs)
        socket.end()
        return false
      case 's07':
        note('slow first token')
        return stream(socket, request, WORDS, { slowFirstMs: profile.slowTtftMs })
      case 's08':
      case 's14':
        note('cut')
        return stream(socket, request, WORDS, { after: CUT_AFTER, then: 'cut' })
      case 's09':
        note('stall')
        return stream(socket, request, WORDS, { after: STALL_AFTER, then: 'stall' })
      case 's10':
        note('malformed')
        return stream(socket, request, WORDS, { malformedAt: MALFORMED_AT })
      case 's11':
        note('no [DONE]')
        return stream(socket, request, WORDS, { noDone: true })
      case 's12':
        note('400 context')
        return errorReply(socket, 400, "This model's maximum context length is 8192 tokens. However, your messages resulted in 9631 tokens. Please reduce the length of the messages.", 'invalid_request_error', 'context_length_exceeded', 'messages')
      case 's13':
        note('400 content filter')
        return errorReply(socket, 400, 'Your request was rejected as a result of our safety system.', 'invalid_request_error', 'content_policy_violation')
      case 's15':
        if (performance.now() - resetAt >= profile.flapDownMs) {
          const served = await healthy(socket, request, model, note)
          entry.action = '200 (recovered)'
          return served
        }
        note('503 (down window)')
        return overloaded()
      default:
        return errorReply(socket, 404, `unknown scenario model ${model}`, 'invalid_request_error', 'model_not_found', 'model')
    }
  }

  return {
    url: `http://127.0.0.1:${listener.port}/v1`,
    /** Clears the log and attempt counters and restarts the wall's clock. */
    reset() {
      log.length = 0
      attempts.clear()
      resetAt = performance.now()
    },
    log,
    stop: () => listener.stop(true),
  }
}

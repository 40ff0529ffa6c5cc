/**
 * The dashboard's playground: one prompt sent through the real router (aliases, combos, account order,
 * budgets, cooldowns, fall-over, translation) exactly as a client of the chosen wire format would send it,
 * then read back the way that client reads it. The request is recorded like any other, so the answer comes
 * with its usage row and attempt trace.
 * @module
 */
import type { ChatRequest, ChatResponse, FinishReason, StreamEvent, Usage } from '../core/ir'
import { mergeUsage } from '../core/ir'
import { decodeStream } from '../core/translate'
import { getFormat } from '../formats'
import type { FormatId } from '../formats/types'
import { decodeUpstreamError } from '../formats/upstream-error'
import { endpointPath } from '../providers/endpoints'
import { attemptsFor, requestById, type AttemptRow } from '../store/dashboard-queries'
import type { AppContext } from './context'
import type { FieldErrors, Outcome } from './management'
import { handleProxy } from './proxy'

/** The client formats the playground can speak, with the label the form shows. */
export const playgroundFormats: readonly (readonly [FormatId, string])[] = [
  ['openai-chat', 'OpenAI Chat Completions (Cursor, Cline, most tools)'],
  ['anthropic-messages', 'Anthropic Messages (Claude Code)'],
  ['openai-responses', 'OpenAI Responses (Codex CLI)'],
  ['gemini', 'Gemini (Gemini CLI)'],
  ['ollama', 'Ollama (Copilot Chat, Open WebUI)'],
]

/** One earlier turn of a playground conversation. */
export interface PlaygroundTurn {
  role: 'user' | 'assistant'
  text: string
}

/** One playground run as the form gives it. */
export interface PlaygroundInput {
  model: string
  format: FormatId
  stream: boolean
  system: string
  prompt: string
  maxTokens: number
  /** The conversation so far (the form carries it), oldest first. */
  history: PlaygroundTurn[]
}

/** What came back, as the chosen client saw it, plus the router's own record of the request. */
export interface PlaygroundResult {
  requestId: string
  status: number
  /** The model that answered (`x-modelmux-model`), when one did. */
  servedBy?: string
  /** The scenario rule that re-routed the request (`x-modelmux-scenario`), if one did. */
  scenario?: string
  attempts: number
  text: string
  reasoning: string
  toolCalls: string[]
  finishReason?: FinishReason
  usage?: Usage
  /** Why it failed: the error the client got, or the in-band error that ended its stream. */
  error?: string
  /** Milliseconds to the response headers, to the first generated output, and to the end. */
  timing: { headersMs: number; firstOutputMs?: number; totalMs: number }
  /** The recorded usage row with its cost, and the attempt trace (no row when the request was refused before routing). */
  row?: ReturnType<typeof requestById>
  trace: AttemptRow[]
}

const MAX_PROMPT_CHARS = 200_000
const MAX_TURNS = 100
const MAX_OUTPUT_TOKENS = 64_000
/** The default output cap: enough for a test answer, small enough not to spend much. */
export const DEFAULT_PLAYGROUND_MAX_TOKENS = 512

/** Checks the posted form; errors are keyed by field. */
export function readPlaygroundForm(form: Record<string, unknown>): Outcome<PlaygroundInput> {
  const errors: FieldErrors = {}
  const model = String(form.model ?? '').trim()
  if (model === '') errors.model = 'required'
  const format = String(form.format ?? 'openai-chat') as FormatId
  if (!playgroundFormats.some(([id]) => id === format)) errors.format = 'unknown client format'
  const prompt = String(form.prompt ?? '')
  if (prompt.trim() === '') errors.prompt = 'required'
  else if (prompt.length > MAX_PROMPT_CHARS) errors.prompt = `at most ${MAX_PROMPT_CHARS} characters`
  const system = String(form.system ?? '')
  if (system.length > MAX_PROMPT_CHARS) errors.system = `at most ${MAX_PROMPT_CHARS} characters`
  const rawMax = String(form.maxTokens ?? '').trim()
  const maxTokens = rawMax === '' ? DEFAULT_PLAYGROUND_MAX_TOKENS : Number(rawMax)
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_OUTPUT_TOKENS) errors.maxTokens = `a whole number from 1 to ${MAX_OUTPUT_TOKENS}`
  const history = readHistory(form.history)
  if (history === undefined) errors.history = 'the conversation could not be read; start a new one'
  else if (history.reduce((sum, turn) => sum + turn.text.length, prompt.length) > MAX_PROMPT_CHARS * 5) errors.prompt = 'the conversation is too long; start a new one'
  if (Object.keys(errors).length > 0 || history === undefined) return { ok: false, errors }
  const stream = form.stream === 'on' || form.stream === true || form.stream === 'true'
  return { ok: true, value: { model, format, stream, system, prompt, maxTokens, history } }
}

/** The conversation a form carries (JSON in a hidden field; none when blank); undefined when it is not one. */
export function readHistory(raw: unknown): PlaygroundTurn[] | undefined {
  if (raw === undefined || raw === '') return []
  try {
    const turns = JSON.parse(String(raw)) as unknown
    if (!Array.isArray(turns) || turns.length > MAX_TURNS) return undefined
    const valid = turns.every((turn) => turn && (turn.role === 'user' || turn.role === 'assistant') && typeof turn.text === 'string')
    return valid ? (turns as PlaygroundTurn[]).map(({ role, text }) => ({ role, text })) : undefined
  } catch {
    return undefined
  }
}

/** The conversation after a run: the prompt and the answer added when it gave one, else as it was. */
export function nextHistory(input: PlaygroundInput, result: Pick<PlaygroundResult, 'status' | 'text' | 'error'>): PlaygroundTurn[] {
  if (result.status >= 400 || result.error !== undefined || result.text === '') return input.history
  return [...input.history, { role: 'user', text: input.prompt }, { role: 'assistant', text: result.text }]
}

/** What modelmux's own routes put before a format's endpoint path (its API version; Ollama has none). */
const clientPrefix: Record<FormatId, string> = { 'openai-chat': '/v1', 'anthropic-messages': '/v1', 'openai-responses': '/v1', gemini: '/v1beta', ollama: '' }

/** The path a client of `format` posts to (Gemini names model and method in it). */
function clientPath(format: FormatId, model: string, stream: boolean): string {
  return clientPrefix[format] + endpointPath(format, model, stream)
}

/** The request body a client of `input.format` sends for this prompt. */
function clientBody(input: PlaygroundInput): unknown {
  const request: ChatRequest = {
    model: input.model,
    system: input.system.trim() === '' ? [] : [{ type: 'text', text: input.system }],
    messages: [...input.history, { role: 'user' as const, text: input.prompt }].map(({ role, text }) => ({ role, content: [{ type: 'text' as const, text }] })),
    maxTokens: input.maxTokens,
    stream: input.stream,
    extensions: {},
  }
  return getFormat(input.format).request.encode(request, { model: input.model })
}

/** Receives generated text as it streams in, for a live view. */
export type OutputListener = (kind: 'text' | 'reasoning', text: string) => void

/** Folds what a client reads (stream events or a whole answer) into text, reasoning and tool calls. */
function createReader(onOutput?: OutputListener) {
  const out = { text: '', reasoning: '', toolCalls: [] as string[], finishReason: undefined as FinishReason | undefined, usage: undefined as Usage | undefined, error: undefined as string | undefined }
  return {
    out,
    event(event: StreamEvent): boolean {
      switch (event.type) {
        case 'text-delta':
          out.text += event.text
          onOutput?.('text', event.text)
          return true
        case 'reasoning-delta':
          out.reasoning += event.text
          onOutput?.('reasoning', event.text)
          return true
        case 'tool-call-start':
          out.toolCalls.push(event.name)
          return true
        case 'message-start':
          if (event.usage) out.usage = mergeUsage(out.usage, event.usage)
          return false
        case 'usage':
          out.usage = mergeUsage(out.usage, event.usage)
          return false
        case 'finish':
          out.finishReason = event.finishReason
          return false
        case 'error':
          out.error = event.error.message
          return false
        default:
          return false
      }
    },
    response(response: ChatResponse) {
      for (const part of response.content) {
        if (part.type === 'text') out.text += part.text
        else if (part.type === 'reasoning') out.reasoning += part.text ?? ''
        else if (part.type === 'tool-call') out.toolCalls.push(part.name)
      }
      out.finishReason = response.finishReason
      out.usage = response.usage
    },
  }
}

/**
 * Sends the prompt through the router as a client of the chosen format would, and reads the answer back;
 * `onOutput` sees streamed text as it arrives; aborting `signal` (the user left) cancels the upstream call.
 */
export async function runPlayground(context: AppContext, input: PlaygroundInput, options: { signal?: AbortSignal; onOutput?: OutputListener } = {}): Promise<PlaygroundResult> {
  const wire = getFormat(input.format)
  const requestId = Bun.randomUUIDv7()
  const request = new Request(`http://localhost${clientPath(input.format, input.model, input.stream)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'modelmux-playground' },
    body: JSON.stringify(clientBody(input)),
    signal: options.signal,
  })
  const started = performance.now()
  const since = () => Math.round(performance.now() - started)
  const response = await handleProxy(context, {
    format: input.format,
    request,
    pathModel: input.format === 'gemini' ? input.model : undefined,
    pathStream: input.format === 'gemini' ? input.stream : undefined,
    trusted: true,
    requestId,
  })
  const headersMs = since()
  const reader = createReader(options.onOutput)
  let firstOutputMs: number | undefined
  try {
    if (response.status >= 400) {
      reader.out.error = decodeUpstreamError(response.status, await response.text(), `HTTP ${response.status}`).message
    } else if (input.stream && response.body) {
      for await (const event of decodeStream(response.body, wire)) {
        if (reader.event(event) && firstOutputMs === undefined) firstOutputMs = since()
      }
    } else {
      reader.response(wire.response.decode(await response.json()))
    }
  } catch (error) {
    reader.out.error ??= `the answer could not be read as ${input.format}: ${(error as Error).message}`
  }
  const totalMs = since()
  // The row is written in batches; the playground waits for its own.
  await context.usage.settled()
  await context.usage.flush()
  const row = requestById(context.db, requestId)
  return {
    requestId,
    status: response.status,
    servedBy: response.headers.get('x-modelmux-model') ?? undefined,
    scenario: response.headers.get('x-modelmux-scenario') ?? undefined,
    attempts: Number(response.headers.get('x-modelmux-attempts') ?? row?.attempts ?? 0),
    ...reader.out,
    timing: { headersMs, firstOutputMs, totalMs },
    row,
    trace: attemptsFor(context.db, [requestId]).get(requestId) ?? [],
  }
}

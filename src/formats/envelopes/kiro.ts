/**
 * Kiro (AWS CodeWhisperer `generateAssistantResponse`): the request body built from the IR, and the
 * AWS event-stream answer decoded into IR stream events. Pure: ids and the clock are injected.
 * @module
 */
import type { EncodeContext } from '../../core/ids'
import type { ChatRequest, ContentPart, Message, StreamEvent, Usage } from '../../core/ir'
import { createSseEncoderStream, toTransformStream } from '../../core/sse'
import { createOpenAIChatStreamEncoderTransformer } from '../openai-chat/stream'
import { createEventStreamDecoder, type EventStreamMessage } from './aws-event-stream'

// ── request ──────────────────────────────────────────────────────────────────

type KiroToolResult = { toolUseId: string; status: 'success' | 'error'; content: { text: string }[] }
type KiroUserMessage = {
  content: string
  modelId: string
  origin: 'AI_EDITOR'
  images?: { format: string; source: { bytes: string } }[]
  userInputMessageContext?: { toolResults?: KiroToolResult[]; tools?: unknown[] }
}
type KiroAssistantMessage = { content: string; toolUses?: { toolUseId: string; name: string; input: unknown }[] }
type KiroTurn = { userInputMessage: KiroUserMessage } | { assistantResponseMessage: KiroAssistantMessage }

const textOf = (parts: ContentPart[]) =>
  parts
    .map((part) => (part.type === 'text' ? part.text : part.type === 'reasoning' ? '' : ''))
    .filter(Boolean)
    .join('\n\n')

function parseArguments(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {}
  } catch {
    return {}
  }
}

/**
 * IR → `generateAssistantResponse` body: consecutive turns of one side are merged (Kiro wants strict
 * alternation), tool results ride on the next user turn, the system prompt leads the first user turn
 * (Kiro has no system field), tools go on the current message only.
 */
export function encodeKiroRequest(request: ChatRequest, options: { modelId: string; conversationId: string; profileArn?: string }): Record<string, unknown> {
  const turns: KiroTurn[] = []
  const user = (): KiroUserMessage => {
    const last = turns[turns.length - 1]
    if (last && 'userInputMessage' in last) return last.userInputMessage
    const fresh: KiroUserMessage = { content: '', modelId: options.modelId, origin: 'AI_EDITOR' }
    turns.push({ userInputMessage: fresh })
    return fresh
  }
  const join = (a: string, b: string) => (a && b ? `${a}\n\n${b}` : a || b)
  for (const message of request.messages as Message[]) {
    if (message.role === 'assistant') {
      const last = turns[turns.length - 1]
      let target: KiroAssistantMessage
      if (last && 'assistantResponseMessage' in last) target = last.assistantResponseMessage
      else {
        if (turns.length === 0) turns.push({ userInputMessage: { content: 'Continue', modelId: options.modelId, origin: 'AI_EDITOR' } })
        target = { content: '' }
        turns.push({ assistantResponseMessage: target })
      }
      target.content = join(target.content, textOf(message.content))
      for (const part of message.content) {
        if (part.type !== 'tool-call') continue
        ;(target.toolUses ??= []).push({ toolUseId: part.id, name: part.name, input: parseArguments(part.arguments) })
      }
      continue
    }
    const target = user()
    for (const part of message.content) {
      if (part.type === 'text') target.content = join(target.content, part.text)
      else if (part.type === 'image' && part.source.type === 'base64') {
        ;(target.images ??= []).push({ format: part.source.mediaType.split('/')[1] ?? 'png', source: { bytes: part.source.data } })
      } else if (part.type === 'image' && part.source.type === 'url') target.content = join(target.content, `[Image: ${part.source.url}]`)
      else if (part.type === 'tool-result') {
        const context = (target.userInputMessageContext ??= {})
        ;(context.toolResults ??= []).push({
          toolUseId: part.callId,
          status: part.isError ? 'error' : 'success',
          content: [{ text: part.content.map((inner) => (inner.type === 'text' ? inner.text : '')).join('\n') }],
        })
      }
    }
  }
  const system = request.system.map((part) => part.text).join('\n\n')
  const firstUser = turns.find((turn): turn is { userInputMessage: KiroUserMessage } => 'userInputMessage' in turn)
  if (system && firstUser) firstUser.userInputMessage.content = join(system, firstUser.userInputMessage.content)
  if (turns.length === 0 || !('userInputMessage' in turns[turns.length - 1])) turns.push({ userInputMessage: { content: 'Continue', modelId: options.modelId, origin: 'AI_EDITOR' } })
  const current = (turns.pop() as { userInputMessage: KiroUserMessage }).userInputMessage
  if (!current.content) current.content = current.userInputMessageContext?.toolResults ? 'Tool results provided.' : 'Continue'
  if (system && !firstUser) current.content = join(system, current.content)
  if (request.tools?.length) {
    ;(current.userInputMessageContext ??= {}).tools = request.tools.map((tool) => ({
      toolSpecification: { name: tool.name, description: tool.description || `Tool: ${tool.name}`, inputSchema: { json: { type: 'object', ...tool.parameters } } },
    }))
  }
  for (const turn of turns) if ('userInputMessage' in turn && !turn.userInputMessage.content) turn.userInputMessage.content = 'Continue'
  const body: Record<string, unknown> = {
    conversationState: {
      chatTriggerType: 'MANUAL',
      conversationId: options.conversationId,
      currentMessage: { userInputMessage: current },
      history: turns,
    },
  }
  const inference: Record<string, number> = {}
  if (request.maxTokens !== undefined) inference.maxTokens = request.maxTokens
  if (request.temperature !== undefined) inference.temperature = request.temperature
  if (request.topP !== undefined) inference.topP = request.topP
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference
  if (options.profileArn) body.profileArn = options.profileArn
  return body
}

// ── stream ───────────────────────────────────────────────────────────────────

const statusByException: Record<string, number> = {
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  ValidationException: 400,
  AccessDeniedException: 403,
  UnauthorizedException: 401,
  ResourceNotFoundException: 404,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
}

const kindByStatus = (status: number) =>
  status === 429 ? 'rate_limit' : status === 400 ? 'invalid_request' : status === 401 ? 'authentication' : status === 403 ? 'permission' : status === 404 ? 'not_found' : 'upstream'

/**
 * Kiro event-stream messages → IR stream events. Text (`assistantResponseEvent`, `codeEvent`), reasoning
 * (`reasoningContentEvent`), tool calls (`toolUseEvent`: a new `toolUseId` opens a call, `input`
 * fragments follow, `stop` closes it), usage only when the upstream reports token counts
 * (`metricsEvent`, `usageEvent`), exceptions as a terminal error.
 */
export function createKiroEventDecoder(context: { id: string; model: string }): TransformStream<EventStreamMessage, StreamEvent> {
  const utf8 = new TextDecoder()
  let nextIndex = 0
  let open: { kind: 'text' | 'reasoning'; index: number } | undefined
  const tools = new Map<string, { index: number; ended: boolean }>()
  let sawTool = false
  let finished = false
  let failed = false
  let usage: Usage | undefined
  const closeOpen = (controller: TransformStreamDefaultController<StreamEvent>) => {
    if (!open) return
    controller.enqueue({ type: open.kind === 'text' ? 'text-end' : 'reasoning-end', index: open.index })
    open = undefined
  }
  const ensure = (controller: TransformStreamDefaultController<StreamEvent>, kind: 'text' | 'reasoning') => {
    if (open?.kind === kind) return open.index
    closeOpen(controller)
    open = { kind, index: nextIndex++ }
    controller.enqueue(kind === 'text' ? { type: 'text-start', index: open.index } : { type: 'reasoning-start', index: open.index })
    return open.index
  }
  const endTools = (controller: TransformStreamDefaultController<StreamEvent>) => {
    for (const tool of tools.values()) {
      if (tool.ended) continue
      tool.ended = true
      controller.enqueue({ type: 'tool-call-end', index: tool.index })
    }
  }
  const finish = (controller: TransformStreamDefaultController<StreamEvent>) => {
    if (finished) return
    finished = true
    closeOpen(controller)
    endTools(controller)
    if (usage) controller.enqueue({ type: 'usage', usage })
    controller.enqueue({ type: 'finish', finishReason: sawTool ? 'tool-calls' : 'stop', rawReason: sawTool ? 'tool_use' : 'end_turn' })
  }
  return new TransformStream({
    start(controller) {
      controller.enqueue({ type: 'message-start', id: context.id, model: context.model })
    },
    transform(message, controller) {
      if (failed) return
      const type = message.headers[':message-type']
      if (type === 'exception' || type === 'error') {
        const name = String(message.headers[':exception-type'] ?? message.headers[':error-code'] ?? 'error')
        let text = String(message.headers[':error-message'] ?? '')
        try {
          const payload = JSON.parse(utf8.decode(message.payload)) as { message?: string; Message?: string }
          text = payload.message ?? payload.Message ?? text
        } catch {
          text ||= utf8.decode(message.payload)
        }
        const status = statusByException[name] ?? 502
        failed = true
        controller.enqueue({ type: 'error', error: { status, kind: kindByStatus(status), message: `${name}: ${text}`.trim(), code: name } })
        return
      }
      let payload: Record<string, any>
      try {
        payload = JSON.parse(utf8.decode(message.payload))
      } catch {
        return
      }
      switch (message.headers[':event-type']) {
        case 'assistantResponseEvent':
        case 'codeEvent':
          if (typeof payload.content === 'string' && payload.content) controller.enqueue({ type: 'text-delta', index: ensure(controller, 'text'), text: payload.content })
          break
        case 'reasoningContentEvent':
          if (typeof payload.text === 'string' && payload.text) controller.enqueue({ type: 'reasoning-delta', index: ensure(controller, 'reasoning'), text: payload.text })
          if (typeof payload.signature === 'string' && open?.kind === 'reasoning') controller.enqueue({ type: 'reasoning-signature', index: open.index, signature: payload.signature })
          break
        case 'toolUseEvent': {
          const id = String(payload.toolUseId ?? '')
          if (!id) break
          let tool = tools.get(id)
          if (!tool) {
            closeOpen(controller)
            tool = { index: nextIndex++, ended: false }
            tools.set(id, tool)
            sawTool = true
            controller.enqueue({ type: 'tool-call-start', index: tool.index, id, name: String(payload.name ?? '') })
          }
          if (!tool.ended && payload.input !== undefined && payload.input !== '') {
            const delta = typeof payload.input === 'string' ? payload.input : JSON.stringify(payload.input)
            controller.enqueue({ type: 'tool-call-delta', index: tool.index, argumentsDelta: delta })
          }
          if (payload.stop === true && !tool.ended) {
            tool.ended = true
            controller.enqueue({ type: 'tool-call-end', index: tool.index })
          }
          break
        }
        case 'metricsEvent':
        case 'usageEvent': {
          const input = Number(payload.inputTokens ?? payload.metricsEvent?.inputTokens)
          const output = Number(payload.outputTokens ?? payload.metricsEvent?.outputTokens)
          const next: Usage = {}
          if (Number.isFinite(input)) next.inputTokens = input
          if (Number.isFinite(output)) next.outputTokens = output
          if (Object.keys(next).length > 0) usage = { ...usage, ...next }
          break
        }
        case 'messageStopEvent':
          finish(controller)
          break
        default:
          // meteringEvent (credits), contextUsageEvent (a percentage), followupPromptEvent…: no token counts.
          break
      }
    },
    flush(controller) {
      if (failed) return
      finish(controller)
      controller.enqueue({ type: 'message-end' })
    },
  })
}

/**
 * Bytes of a Kiro event stream → bytes of OpenAI Chat SSE (the provider's declared wire format), so the
 * rest of the pipeline treats Kiro like any OpenAI-compatible upstream.
 */
export function createKiroToOpenAIChatStream(context: EncodeContext & { id: string; model: string }): TransformStream<Uint8Array, Uint8Array> {
  const decoder = createEventStreamDecoder()
  const output = decoder.readable
    .pipeThrough(createKiroEventDecoder({ id: context.id, model: context.model }))
    .pipeThrough(toTransformStream(createOpenAIChatStreamEncoderTransformer(context)))
    .pipeThrough(createSseEncoderStream())
  return { writable: decoder.writable, readable: output } as unknown as TransformStream<Uint8Array, Uint8Array>
}

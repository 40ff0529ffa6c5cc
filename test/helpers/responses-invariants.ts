/**
 * What Responses API clients demand of a stream (the openai SDKs' `responses.stream()` helpers
 * accumulate by `output_index`/`content_index` and throw on a gap; Codex CLI needs
 * `response.completed`), as a reusable checker. Returns the list of violations (empty = valid)
 * so tests can also prove that broken streams are caught.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
import type { SseEvent } from '../../src/core/sse'

interface ItemState {
  type: string
  id: string
  done: boolean
  /** Message content parts: accumulated text and whether the part is done. */
  parts: Array<{ text: string; done: boolean }>
  arguments: string
  /** Reasoning summary parts. */
  summaries: Array<{ text: string; done: boolean }>
  final?: Record<string, any>
}

const knownTypes = new Set([
  'response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done',
  'response.content_part.added', 'response.content_part.done', 'response.output_text.delta', 'response.output_text.done',
  'response.function_call_arguments.delta', 'response.function_call_arguments.done',
  'response.reasoning_summary_part.added', 'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.done',
  'response.completed', 'response.failed', 'error',
])

/** Checks a Responses SSE event list against the client contract. */
export function checkResponsesStream(events: SseEvent[]): string[] {
  const problems: string[] = []
  const items: ItemState[] = []
  let responseId: string | undefined
  let terminal: string | undefined
  let sawError = false
  for (let position = 0; position < events.length; position++) {
    const event = events[position]
    let payload: Record<string, any>
    try {
      payload = JSON.parse(event.data)
    } catch {
      problems.push(`event ${position}: data is not JSON`)
      continue
    }
    const type = payload.type
    const where = `event ${position} (${type})`
    if (event.event !== type) problems.push(`${where}: event line "${event.event}" does not match type`)
    if (payload.sequence_number !== position) problems.push(`${where}: sequence_number ${payload.sequence_number}, expected ${position}`)
    if (!knownTypes.has(type)) problems.push(`${where}: unknown event type`)
    if (terminal) problems.push(`${where}: after ${terminal}`)
    if (position === 0 && type !== 'response.created') problems.push(`${where}: the first event must be response.created`)
    if (sawError && type !== 'response.failed') problems.push(`${where}: only response.failed may follow an error event`)
    if (type?.startsWith('response.') && payload.response !== undefined) {
      const id = payload.response?.id
      if (typeof id !== 'string' || id === '') problems.push(`${where}: response id missing`)
      else if (responseId === undefined) responseId = id
      else if (id !== responseId) problems.push(`${where}: response id ${id}, expected ${responseId}`)
      if (payload.response?.object !== 'response') problems.push(`${where}: response.object is not "response"`)
    }
    const item = typeof payload.output_index === 'number' ? items[payload.output_index] : undefined
    const needItem = (kind?: string): ItemState | undefined => {
      if (!item) problems.push(`${where}: unknown output_index ${payload.output_index}`)
      else if (item.done) problems.push(`${where}: item ${payload.output_index} is already done`)
      else if (kind && item.type !== kind) problems.push(`${where}: item ${payload.output_index} is a ${item.type}, not a ${kind}`)
      else if (payload.item_id !== undefined && payload.item_id !== item.id) problems.push(`${where}: item_id ${payload.item_id}, expected ${item.id}`)
      else return item
      return undefined
    }
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        if (payload.response?.status !== 'in_progress') problems.push(`${where}: status ${payload.response?.status}`)
        break
      case 'response.output_item.added': {
        if (payload.output_index !== items.length) problems.push(`${where}: output_index ${payload.output_index}, expected ${items.length}`)
        const wire = payload.item ?? {}
        if (typeof wire.type !== 'string') problems.push(`${where}: item without type`)
        if (wire.type === 'function_call' && (typeof wire.call_id !== 'string' || typeof wire.name !== 'string' || wire.arguments !== '')) {
          problems.push(`${where}: function_call item needs call_id, name and empty arguments`)
        }
        if (wire.type === 'message' && (!Array.isArray(wire.content) || wire.content.length !== 0)) problems.push(`${where}: message item must start with no content`)
        items.push({ type: wire.type, id: wire.id, done: false, parts: [], arguments: '', summaries: [] })
        break
      }
      case 'response.content_part.added': {
        const state = needItem('message')
        if (state && payload.content_index !== state.parts.length) problems.push(`${where}: content_index ${payload.content_index}, expected ${state.parts.length}`)
        state?.parts.push({ text: payload.part?.text ?? '', done: false })
        break
      }
      case 'response.output_text.delta':
      case 'response.output_text.done':
      case 'response.content_part.done': {
        const state = needItem('message')
        const part = state?.parts[payload.content_index]
        if (state && !part) problems.push(`${where}: unknown content_index ${payload.content_index}`)
        if (!part) break
        if (part.done) problems.push(`${where}: content part already done`)
        if (type === 'response.output_text.delta') {
          if (typeof payload.delta !== 'string') problems.push(`${where}: delta is not a string`)
          part.text += payload.delta
        } else if (type === 'response.output_text.done') {
          if (payload.text !== part.text) problems.push(`${where}: text does not match the deltas`)
        } else {
          if (payload.part?.text !== part.text) problems.push(`${where}: part text does not match the deltas`)
          part.done = true
        }
        break
      }
      case 'response.function_call_arguments.delta':
      case 'response.function_call_arguments.done': {
        const state = needItem('function_call')
        if (!state) break
        if (type.endsWith('.delta')) state.arguments += payload.delta
        else if (payload.arguments !== state.arguments) problems.push(`${where}: arguments do not match the deltas`)
        break
      }
      case 'response.reasoning_summary_part.added': {
        const state = needItem('reasoning')
        if (state && payload.summary_index !== state.summaries.length) problems.push(`${where}: summary_index ${payload.summary_index}, expected ${state.summaries.length}`)
        state?.summaries.push({ text: '', done: false })
        break
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_summary_part.done': {
        const state = needItem('reasoning')
        const summary = state?.summaries[payload.summary_index]
        if (state && !summary) problems.push(`${where}: unknown summary_index ${payload.summary_index}`)
        if (!summary) break
        if (summary.done) problems.push(`${where}: summary part already done`)
        if (type.endsWith('text.delta')) summary.text += payload.delta
        else if (type.endsWith('text.done')) {
          if (payload.text !== summary.text) problems.push(`${where}: summary text does not match the deltas`)
        } else {
          if (payload.part?.text !== summary.text) problems.push(`${where}: summary part text does not match the deltas`)
          summary.done = true
        }
        break
      }
      case 'response.output_item.done': {
        const state = needItem()
        if (!state) break
        const wire = payload.item ?? {}
        if (wire.id !== state.id || wire.type !== state.type) problems.push(`${where}: item id/type changed`)
        if (state.parts.some((part) => !part.done)) problems.push(`${where}: a content part is still open`)
        if (state.summaries.some((summary) => !summary.done)) problems.push(`${where}: a summary part is still open`)
        if (state.type === 'message') {
          const texts = (wire.content ?? []).map((part: any) => part.text)
          if (JSON.stringify(texts) !== JSON.stringify(state.parts.map((part) => part.text))) problems.push(`${where}: message content does not match the deltas`)
        }
        if (state.type === 'function_call') {
          if (wire.arguments !== state.arguments) problems.push(`${where}: arguments do not match the deltas`)
          try {
            JSON.parse(wire.arguments)
          } catch {
            problems.push(`${where}: arguments are not JSON: ${String(wire.arguments).slice(0, 80)}`)
          }
        }
        if (state.type === 'reasoning') {
          const texts = (wire.summary ?? []).map((part: any) => part.text)
          if (JSON.stringify(texts) !== JSON.stringify(state.summaries.map((summary) => summary.text))) problems.push(`${where}: summary does not match the deltas`)
        }
        state.done = true
        state.final = wire
        break
      }
      case 'error':
        sawError = true
        if (typeof payload.message !== 'string' || typeof payload.code !== 'string') problems.push(`${where}: malformed error`)
        break
      case 'response.completed':
      case 'response.failed': {
        terminal = type
        const response = payload.response ?? {}
        const output = response.output
        if (!Array.isArray(output)) {
          problems.push(`${where}: output missing`)
          break
        }
        if (type === 'response.completed') {
          items.forEach((state, index) => {
            if (!state.done) problems.push(`${where}: item ${index} (${state.type}) was added but never done`)
          })
          if (output.length !== items.length) problems.push(`${where}: output has ${output.length} items, ${items.length} were streamed`)
          if (!['completed', 'incomplete'].includes(response.status)) problems.push(`${where}: status ${response.status}`)
          if ((response.status === 'incomplete') !== (response.incomplete_details !== null && response.incomplete_details !== undefined)) {
            problems.push(`${where}: incomplete_details does not match status`)
          }
        } else {
          if (response.status !== 'failed' || typeof response.error?.message !== 'string') problems.push(`${where}: malformed failure`)
          if (!sawError) problems.push(`${where}: no error event before response.failed`)
        }
        const finished = items.filter((state) => state.done).map((state) => state.final)
        if (JSON.stringify(output) !== JSON.stringify(finished)) problems.push(`${where}: output differs from the items streamed`)
        const usage = response.usage
        if (type === 'response.completed' && (typeof usage?.input_tokens !== 'number' || typeof usage?.output_tokens !== 'number' || typeof usage?.total_tokens !== 'number')) {
          problems.push(`${where}: usage missing`)
        }
        break
      }
    }
  }
  if (!terminal) problems.push('no response.completed or response.failed at the end')
  return problems
}

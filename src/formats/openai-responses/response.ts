import { ProxyError } from '../../core/errors'
import type { EncodeContext } from '../../core/ids'
import type { ChatResponse, Usage } from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import { decodeOutputItems, encodeOutputItems, FORMAT } from './content'
import { mapResponsesStatus, rawResponsesReason, toResponsesStatus } from './finish-reason'
import { decodeResponsesUsage, encodeResponsesUsage, type ResponsesUsage } from './usage'

const knownFields = new Set(['id', 'object', 'created_at', 'status', 'error', 'incomplete_details', 'model', 'output', 'usage', 'output_text'])

/**
 * Responses API `response` object → IR.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function decodeResponsesResponse(wire: unknown): ChatResponse {
  if (!isObject(wire) || !Array.isArray(wire.output)) {
    throw new ProxyError('upstream', 'upstream returned a response without an output array')
  }
  const content = decodeOutputItems(wire.output)
  const incompleteReason = isObject(wire.incomplete_details) ? wire.incomplete_details.reason : undefined
  const response: ChatResponse = {
    id: String(wire.id ?? ''),
    model: String(wire.model ?? ''),
    content,
    finishReason: mapResponsesStatus(wire.status, incompleteReason, content.some((part) => part.type === 'tool-call')),
    extensions: {},
  }
  const rawReason = rawResponsesReason(wire.status, incompleteReason)
  if (rawReason !== undefined) response.rawFinishReason = rawReason
  if (isObject(wire.usage)) response.usage = decodeResponsesUsage(wire.usage as ResponsesUsage)
  if (typeof wire.created_at === 'number') response.created = wire.created_at
  const unknown = pickUnknown(wire, knownFields)
  if (unknown) response.extensions[FORMAT] = unknown
  return response
}

/** The id a Responses client sees: `resp_…`, derived from the upstream's id when there is one. */
export function responsesId(id: string | undefined, context: EncodeContext): string {
  if (!id) return context.ids('resp_')
  return id.startsWith('resp_') ? id : `resp_${id}`
}

/** The envelope shared by the non-stream body and the stream's `response.*` events. */
export function buildResponseObject(fields: {
  id: string
  createdAt: number
  model: string
  status: string
  incompleteDetails?: { reason: string } | null
  error?: { code: string; message: string } | null
  output: JsonObject[]
  usage: Usage | undefined | null
  extra?: JsonObject
}): JsonObject {
  return {
    ...fields.extra,
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    error: fields.error ?? null,
    incomplete_details: fields.incompleteDetails ?? null,
    model: fields.model,
    output: fields.output,
    usage: fields.usage === null ? null : encodeResponsesUsage(fields.usage),
  }
}

/**
 * IR → Responses API `response` object for a client (always with `output` and `usage`).
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
export function encodeResponsesResponse(response: ChatResponse, context: EncodeContext): JsonObject {
  const { status, incomplete_details } = toResponsesStatus(response.finishReason)
  return buildResponseObject({
    id: responsesId(response.id, context),
    createdAt: response.created ?? Math.floor(context.clock.now() / 1000),
    model: context.model ?? response.model,
    status,
    incompleteDetails: incomplete_details,
    output: encodeOutputItems(response.content, context.ids),
    usage: response.usage,
    extra: response.extensions[FORMAT],
  })
}

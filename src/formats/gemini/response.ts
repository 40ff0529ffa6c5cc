import { ProxyError } from '../../core/errors'
import type { EncodeContext } from '../../core/ids'
import type { ChatResponse, OutputPart } from '../../core/ir'
import { isObject, pickUnknown, type JsonObject } from '../../core/json'
import { decodeGeminiPart, encodeGeminiParts, type PartDecodeOptions } from './content'
import { mapGeminiFinishReason, toGeminiFinishReason } from './finish-reason'
import { decodeGeminiUsage, encodeGeminiUsage, hasUsage, type GeminiUsage } from './usage'

const FORMAT = 'gemini'
const knownFields = new Set(['candidates', 'usageMetadata', 'modelVersion', 'responseId'])
const knownCandidateFields = new Set(['content', 'finishReason', 'index'])
const knownUsageFields = new Set(['promptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'cachedContentTokenCount', 'totalTokenCount'])

/** Makes a Gemini response id safe inside a tool-call id (Anthropic wants `[A-Za-z0-9_-]`). */
export function toolCallIdPrefix(responseId: string): string {
  return `call_${responseId.replace(/[^A-Za-z0-9_-]/g, '_') || 'gemini'}_`
}

/** Epoch seconds of a Gemini `createTime` (RFC 3339), when it parses. */
export function readCreateTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const time = Date.parse(value)
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000)
}

/**
 * Gemini `GenerateContentResponse` body → IR (first candidate). Calls without ids get
 * `call_<responseId>_<n>`, the same ids the stream decoder gives them; a prompt blocked by
 * `promptFeedback` is a `content-filter` finish with no content.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
export function decodeGeminiResponse(wire: unknown): ChatResponse {
  if (!isObject(wire)) throw new ProxyError('upstream', 'upstream returned a response that is not a JSON object')
  const candidates = Array.isArray(wire.candidates) ? (wire.candidates as JsonObject[]) : []
  const candidate = candidates.find((item) => isObject(item) && (item.index ?? 0) === 0) ?? {}
  const id = typeof wire.responseId === 'string' ? wire.responseId : ''
  const prefix = toolCallIdPrefix(id)
  let calls = 0
  const options: PartDecodeOptions = { callId: () => prefix + calls++, resultId: () => prefix + calls++, markNativeIds: false }
  const content: OutputPart[] = []
  const parts = isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : []
  for (const part of parts) {
    if (!isObject(part)) continue
    for (const item of decodeGeminiPart(part, options)) {
      if (item.type === 'text' || item.type === 'reasoning' || item.type === 'tool-call' || item.type === 'raw') content.push(item)
      else content.push({ type: 'raw', format: FORMAT, value: part })
    }
  }
  const feedback = isObject(wire.promptFeedback) ? wire.promptFeedback : undefined
  const rawReason = typeof candidate.finishReason === 'string' ? candidate.finishReason
    : typeof feedback?.blockReason === 'string' ? feedback.blockReason : undefined
  const hasToolCalls = content.some((part) => part.type === 'tool-call')
  const response: ChatResponse = {
    id,
    model: typeof wire.modelVersion === 'string' ? wire.modelVersion : '',
    content,
    finishReason: candidate.finishReason === undefined && rawReason !== undefined ? 'content-filter' : mapGeminiFinishReason(rawReason, hasToolCalls),
    extensions: {},
  }
  if (rawReason !== undefined) response.rawFinishReason = rawReason
  if (isObject(wire.usageMetadata)) {
    const usage = decodeGeminiUsage(wire.usageMetadata as GeminiUsage)
    if (hasUsage(usage)) response.usage = usage
  }
  const created = readCreateTime(wire.createTime)
  if (created !== undefined) response.created = created
  const extension: JsonObject = pickUnknown(wire, knownFields) ?? {}
  const candidateFields = pickUnknown(candidate, knownCandidateFields)
  if (candidateFields) extension.candidate = candidateFields
  const usageFields = isObject(wire.usageMetadata) ? pickUnknown(wire.usageMetadata, knownUsageFields) : undefined
  if (usageFields) extension.usageMetadata = usageFields
  if (Object.keys(extension).length > 0) response.extensions[FORMAT] = extension
  return response
}

/**
 * IR → Gemini `GenerateContentResponse` body for a client (`@google/genai`, Gemini CLI). Reasoning
 * shows as `thought: true` parts; tool calls carry their ids so the client can answer them.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
export function encodeGeminiResponse(response: ChatResponse, context: EncodeContext): JsonObject {
  const extension = response.extensions[FORMAT] ?? {}
  const { candidate: candidateFields, usageMetadata: usageFields, ...rest } = extension
  const parts = encodeGeminiParts(response.content, 'response', () => undefined)
  const candidate: JsonObject = {
    ...(isObject(candidateFields) ? candidateFields : {}),
    content: { role: 'model', parts: parts.length > 0 ? parts : [{ text: '' }] },
    finishReason: toGeminiFinishReason(response.finishReason, response.rawFinishReason),
    index: 0,
  }
  const body: JsonObject = { ...rest, candidates: [candidate] }
  if (response.usage) body.usageMetadata = { ...(isObject(usageFields) ? usageFields : {}), ...encodeGeminiUsage(response.usage) }
  body.modelVersion = context.model ?? response.model
  body.responseId = response.id || context.ids('resp_')
  return body
}

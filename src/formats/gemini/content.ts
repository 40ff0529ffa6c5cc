import type { ContentPart, Extensions, FilePart, ImagePart, MediaSource, ReasoningPart, TextPart, ToolCallPart, ToolResultPart } from '../../core/ir'
import { isObject, parseArguments, pickUnknown, type JsonObject } from '../../core/json'

const FORMAT = 'gemini'

const knownPartFields = new Set(['text', 'thought', 'thoughtSignature', 'inlineData', 'fileData', 'functionCall', 'functionResponse'])
const knownCallFields = new Set(['id', 'name', 'args'])
const knownResultFields = new Set(['id', 'name', 'response'])

/**
 * Google's documented placeholder for a function call whose signature was lost (history written by
 * another model or client); Gemini 3 rejects a current-turn call with no signature at all.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures#faqs
 */
export const placeholderSignature = 'skip_thought_signature_validator'

/** Options for decoding parts: ids for calls/results that carry none, and whether a wire id is marked as Gemini's own. */
export interface PartDecodeOptions {
  /** Deterministic id for a `functionCall` without one. */
  callId(name: string): string
  /** Id for a `functionResponse` without one (the matching earlier call's). */
  resultId(name: string): string
  /** Mark ids Gemini sent (`extensions.gemini.nativeId`) so request encoding sends them back, and only them. */
  markNativeIds: boolean
}

function withFields<T extends Exclude<ContentPart, { type: 'raw' }>>(part: T, wire: JsonObject): T {
  const extra = pickUnknown(wire, knownPartFields)
  if (extra) part.extensions = { ...part.extensions, [FORMAT]: { ...part.extensions?.[FORMAT], fields: extra } }
  return part
}

function decodeMedia(source: MediaSource, mediaType: string | undefined, wire: JsonObject): ImagePart | FilePart {
  return withFields(mediaType?.startsWith('image/') ? { type: 'image', source } : { type: 'file', source }, wire)
}

/** Gemini `functionResponse.response` → result content: `{output}` / `{error}` text as is, anything else as JSON. */
function decodeResultContent(response: unknown): { text: string; isError: boolean } {
  if (isObject(response)) {
    const keys = Object.keys(response)
    if (keys.length === 1 && keys[0] === 'output' && typeof response.output === 'string') return { text: response.output, isError: false }
    if (keys.length === 1 && keys[0] === 'error') {
      return { text: typeof response.error === 'string' ? response.error : JSON.stringify(response.error), isError: true }
    }
  }
  return { text: response === undefined ? '' : JSON.stringify(response), isError: false }
}

/**
 * One Gemini `Part` → IR parts. A `thoughtSignature` on a non-thought part becomes a reasoning part
 * holding only the signature, right after it (streams send it that way, on an empty text part).
 * @see https://ai.google.dev/api/caching#Part
 */
export function decodeGeminiPart(part: JsonObject, options: PartDecodeOptions): ContentPart[] {
  const signature = typeof part.thoughtSignature === 'string' && part.thoughtSignature.length > 0 ? part.thoughtSignature : undefined
  if (typeof part.text === 'string' && part.thought === true) {
    const reasoning: ReasoningPart = withFields({ type: 'reasoning', text: part.text, origin: FORMAT }, part)
    if (signature) reasoning.signature = signature
    return [reasoning]
  }
  const parts: ContentPart[] = []
  if (isObject(part.functionCall)) {
    const call = part.functionCall
    const name = String(call.name ?? '')
    const hasId = typeof call.id === 'string' && call.id.length > 0
    const decoded: ToolCallPart = {
      type: 'tool-call',
      id: hasId ? (call.id as string) : options.callId(name),
      name,
      arguments: JSON.stringify(isObject(call.args) ? call.args : {}),
    }
    if (signature) decoded.signature = signature
    const extra = pickUnknown(call, knownCallFields)
    const nativeId = hasId && options.markNativeIds
    if (nativeId || extra) decoded.extensions = { [FORMAT]: { ...(nativeId ? { nativeId: true } : {}), ...(extra ? { call: extra } : {}) } }
    return [withFields(decoded, part)]
  }
  if (isObject(part.functionResponse)) {
    const result = part.functionResponse
    const name = String(result.name ?? '')
    const hasId = typeof result.id === 'string' && result.id.length > 0
    const { text, isError } = decodeResultContent(result.response)
    const decoded: ToolResultPart = {
      type: 'tool-result',
      callId: hasId ? (result.id as string) : options.resultId(name),
      name,
      content: text.length > 0 ? [{ type: 'text', text }] : [],
    }
    if (isError) decoded.isError = true
    const extra = pickUnknown(result, knownResultFields)
    decoded.extensions = {
      [FORMAT]: { ...(result.response !== undefined ? { response: result.response } : {}), ...(hasId && options.markNativeIds ? { nativeId: true } : {}), ...(extra ? { result: extra } : {}) },
    }
    return [withFields(decoded, part)]
  }
  if (isObject(part.inlineData)) {
    const data = part.inlineData
    const mediaType = String(data.mimeType ?? data.mime_type ?? 'application/octet-stream')
    parts.push(decodeMedia({ type: 'base64', mediaType, data: String(data.data ?? '') }, mediaType, part))
  } else if (isObject(part.fileData)) {
    const file = part.fileData
    const mediaType = typeof (file.mimeType ?? file.mime_type) === 'string' ? String(file.mimeType ?? file.mime_type) : undefined
    const source: MediaSource = { type: 'url', url: String(file.fileUri ?? file.file_uri ?? '') }
    if (mediaType) source.mediaType = mediaType
    parts.push(decodeMedia(source, mediaType, part))
  } else if (typeof part.text === 'string') {
    if (part.text.length > 0 || !signature) parts.push(withFields<TextPart>({ type: 'text', text: part.text }, part))
  } else if (!signature) {
    return [{ type: 'raw', format: FORMAT, value: part }]
  }
  if (signature) parts.push({ type: 'reasoning', text: '', signature, origin: FORMAT })
  return parts
}

function guessMediaType(url: string): string | undefined {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase()
  const types: Record<string, string> = {
    png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic',
    pdf: 'application/pdf', txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', html: 'text/html',
    mp3: 'audio/mp3', wav: 'audio/wav', ogg: 'audio/ogg', flac: 'audio/flac', mp4: 'video/mp4', webm: 'video/webm', mov: 'video/mov',
  }
  return extension ? types[extension] : undefined
}

function encodeMedia(part: ImagePart | FilePart): JsonObject | undefined {
  const source = part.source
  let encoded: JsonObject
  if (source.type === 'base64') encoded = { inlineData: { mimeType: source.mediaType, data: source.data } }
  else if (source.type === 'url') {
    const mediaType = source.mediaType ?? guessMediaType(source.url)
    encoded = { fileData: mediaType ? { mimeType: mediaType, fileUri: source.url } : { fileUri: source.url } }
  } else if (source.type === 'text') encoded = { text: source.data }
  else return undefined // a Files-API id of another provider means nothing to Gemini
  return withWireFields(encoded, part)
}

function withWireFields(encoded: JsonObject, part: { extensions?: Extensions }): JsonObject {
  const fields = part.extensions?.[FORMAT]?.fields
  return isObject(fields) ? { ...fields, ...encoded } : encoded
}

/** IR tool-result content → Gemini `functionResponse.response` (`{output}`/`{error}`, or the JSON object it holds). */
function encodeResultResponse(part: ToolResultPart): unknown {
  const original = part.extensions?.[FORMAT]?.response
  if (original !== undefined) return original
  const text = part.content
    .filter((item): item is TextPart => item.type === 'text')
    .map((item) => item.text)
    .join('\n')
  if (part.isError) return { error: text }
  const parsed = text.trimStart().startsWith('{') ? parseArguments(text) : undefined
  return parsed ?? { output: text }
}

/** Where parts are going: an upstream request (history) or a client response. */
export type PartEncodeMode = 'request' | 'response'

/**
 * IR parts → Gemini `Part`s. A signature-only reasoning part is put back on the text part before it
 * (as non-stream Gemini answers carry it). In requests, reasoning from other formats is left out and
 * ids are sent only when Gemini issued them; `nameOf` names a result whose call is known by id only.
 * @see https://ai.google.dev/api/caching#Part
 */
export function encodeGeminiParts(parts: ContentPart[], mode: PartEncodeMode, nameOf: (callId: string) => string | undefined): JsonObject[] {
  const encoded: JsonObject[] = []
  let signedCall = false
  let lastText: JsonObject | undefined
  for (const part of parts) {
    let wire: JsonObject | undefined
    switch (part.type) {
      case 'text':
        wire = withWireFields({ text: part.text }, part)
        break
      case 'image':
      case 'file':
        wire = encodeMedia(part)
        break
      case 'reasoning': {
        const signature = part.origin === FORMAT ? part.signature : undefined
        if (part.text.length === 0) {
          if (!signature) break
          if (lastText && lastText.thoughtSignature === undefined) {
            lastText.thoughtSignature = signature
            lastText = undefined
            continue
          }
          wire = { text: '', thoughtSignature: signature }
          break
        }
        if (mode === 'request' && part.origin !== FORMAT) break
        wire = withWireFields({ text: part.text, thought: true }, part)
        if (signature) wire.thoughtSignature = signature
        break
      }
      case 'tool-call': {
        const extension = part.extensions?.[FORMAT]
        const call: JsonObject = { ...(isObject(extension?.call) ? extension.call : {}), name: part.name, args: parseArguments(part.arguments) ?? {} }
        if (mode === 'response' || extension?.nativeId === true) call.id = part.id
        wire = withWireFields({ functionCall: call }, part)
        if (part.signature) wire.thoughtSignature = part.signature
        else if (mode === 'request' && !signedCall) wire.thoughtSignature = placeholderSignature
        signedCall = true
        break
      }
      case 'tool-result': {
        const extension = part.extensions?.[FORMAT]
        const result: JsonObject = {
          ...(isObject(extension?.result) ? extension.result : {}),
          name: part.name || nameOf(part.callId) || part.callId,
          response: encodeResultResponse(part),
        }
        if (mode === 'response' || extension?.nativeId === true) result.id = part.callId
        encoded.push(withWireFields({ functionResponse: result }, part))
        // images and files a tool returned follow its functionResponse as sibling parts
        for (const item of part.content) {
          const media = item.type === 'text' ? undefined : encodeMedia(item)
          if (media) encoded.push(media)
        }
        lastText = undefined
        continue
      }
      case 'raw':
        if (part.format === FORMAT) wire = part.value
        break
    }
    if (!wire) continue
    encoded.push(wire)
    lastText = part.type === 'text' ? wire : undefined
  }
  return encoded
}

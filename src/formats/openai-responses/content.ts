import type { ContentPart, FilePart, ImagePart, MediaSource, OutputPart, ReasoningPart, TextPart } from '../../core/ir'
import { isObject, type JsonObject } from '../../core/json'
import { mediaSourceFromUrl, parseDataUrl, toDataUrl } from '../../core/media'

export const FORMAT = 'openai-responses'

/** Reasoning summary parts are joined into one IR reasoning text with this separator. */
export const SUMMARY_SEPARATOR = '\n\n'

/**
 * Message `content` (string or parts) → IR parts: `input_text`/`output_text`/`refusal` → text,
 * `input_image` → image, `input_file` → file. Other part types are skipped.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
export function decodeInputContent(content: unknown): Array<TextPart | ImagePart | FilePart> {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : []
  if (!Array.isArray(content)) return []
  const parts: Array<TextPart | ImagePart | FilePart> = []
  for (const part of content as JsonObject[]) {
    if (!isObject(part)) continue
    if ((part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string') {
      const text: TextPart = { type: 'text', text: part.text }
      const extra: JsonObject = {}
      if (Array.isArray(part.annotations) && part.annotations.length > 0) extra.annotations = part.annotations
      if (Object.keys(extra).length > 0) text.extensions = { [FORMAT]: extra }
      parts.push(text)
    } else if (part.type === 'refusal' && typeof part.refusal === 'string') {
      parts.push({ type: 'text', text: part.refusal, extensions: { [FORMAT]: { refusal: true } } })
    } else if (part.type === 'input_image') {
      const source: MediaSource | undefined =
        typeof part.image_url === 'string' ? mediaSourceFromUrl(part.image_url)
          : typeof part.file_id === 'string' ? { type: 'file-id', fileId: part.file_id } : undefined
      if (!source) continue
      const image: ImagePart = { type: 'image', source }
      if (typeof part.detail === 'string') image.detail = part.detail
      parts.push(image)
    } else if (part.type === 'input_file') {
      let source: MediaSource | undefined
      if (typeof part.file_data === 'string') {
        source = parseDataUrl(part.file_data) ? mediaSourceFromUrl(part.file_data) : { type: 'base64', mediaType: 'application/pdf', data: part.file_data }
      } else if (typeof part.file_id === 'string') source = { type: 'file-id', fileId: part.file_id }
      else if (typeof part.file_url === 'string') source = { type: 'url', url: part.file_url }
      if (!source) continue
      const file: FilePart = { type: 'file', source }
      if (typeof part.filename === 'string') file.filename = part.filename
      parts.push(file)
    }
  }
  return parts
}

/** One IR input part → a Responses content part (`input_*` for user turns, `output_text` for the assistant). */
export function encodeContentPart(part: ContentPart, role: 'user' | 'assistant'): JsonObject | undefined {
  if (part.type === 'text') {
    if (role === 'user') return { type: 'input_text', text: part.text }
    const extension = part.extensions?.[FORMAT]
    if (extension?.refusal === true) return { type: 'refusal', refusal: part.text }
    return { type: 'output_text', text: part.text, ...(Array.isArray(extension?.annotations) ? { annotations: extension.annotations } : {}) }
  }
  if (part.type === 'image') {
    const source = part.source
    const image: JsonObject = { type: 'input_image' }
    if (source.type === 'base64') image.image_url = toDataUrl(source.mediaType, source.data)
    else if (source.type === 'url') image.image_url = source.url
    else if (source.type === 'file-id') image.file_id = source.fileId
    else return undefined
    if (part.detail !== undefined) image.detail = part.detail
    return image
  }
  if (part.type === 'file') {
    const source = part.source
    if (source.type === 'text') return { type: 'input_text', text: source.data }
    const file: JsonObject = { type: 'input_file' }
    if (source.type === 'base64') file.file_data = toDataUrl(source.mediaType, source.data)
    else if (source.type === 'file-id') file.file_id = source.fileId
    else file.file_url = source.url
    if (part.filename !== undefined) file.filename = part.filename
    return file
  }
  return undefined
}

/** The visible text of a reasoning item: its summary parts (or, for open-weight models, its reasoning text). */
export function reasoningText(item: JsonObject): string {
  const summary = Array.isArray(item.summary) ? (item.summary as JsonObject[]) : []
  const texts = summary.filter((part) => isObject(part) && typeof part.text === 'string').map((part) => part.text as string)
  if (texts.length > 0) return texts.join(SUMMARY_SEPARATOR)
  const content = Array.isArray(item.content) ? (item.content as JsonObject[]) : []
  return content.filter((part) => isObject(part) && typeof part.text === 'string').map((part) => part.text as string).join('')
}

/** A `reasoning` item → IR reasoning (the encrypted content is OpenAI's own, so `origin` is set). */
export function decodeReasoningItem(item: JsonObject): ReasoningPart {
  const part: ReasoningPart = { type: 'reasoning', text: reasoningText(item), origin: FORMAT }
  if (typeof item.id === 'string') part.id = item.id
  if (typeof item.encrypted_content === 'string') part.encrypted = item.encrypted_content
  return part
}

/**
 * Response `output` items → IR parts: message contents → text, `function_call` → tool call,
 * `reasoning` → reasoning; hosted-tool and every other item type → a `raw` part kept whole.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-output
 */
export function decodeOutputItems(items: unknown[]): OutputPart[] {
  const parts: OutputPart[] = []
  for (const item of items as JsonObject[]) {
    if (!isObject(item)) continue
    if (item.type === 'message') {
      for (const part of decodeInputContent(item.content)) {
        if (part.type !== 'text') continue
        if (typeof item.phase === 'string') part.extensions = { [FORMAT]: { ...part.extensions?.[FORMAT], phase: item.phase } }
        parts.push(part)
      }
    } else if (item.type === 'function_call') {
      parts.push({ type: 'tool-call', id: String(item.call_id ?? item.id ?? ''), name: String(item.name ?? ''), arguments: typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {}) })
    } else if (item.type === 'reasoning') {
      parts.push(decodeReasoningItem(item))
    } else {
      parts.push({ type: 'raw', format: FORMAT, value: item })
    }
  }
  return parts
}

/** Ids an item encoder needs: a fresh one per item kind. */
export type ItemIds = (prefix: string) => string

/** The item id of a reasoning part: its own when it came from a Responses upstream, else a fresh one. */
export function reasoningItemId(part: { id?: string; origin?: string }, ids: ItemIds): string {
  return part.origin === FORMAT && part.id ? part.id : ids('rs_')
}

/**
 * IR output parts → Responses `output` items (one message item per text part, so the non-stream
 * shape matches the stream encoder's). Encrypted reasoning is only sent back to its own format.
 */
export function encodeOutputItems(parts: OutputPart[], ids: ItemIds): JsonObject[] {
  const items: JsonObject[] = []
  for (const part of parts) {
    if (part.type === 'text') {
      const extension = part.extensions?.[FORMAT]
      const content = extension?.refusal === true
        ? { type: 'refusal', refusal: part.text }
        : { type: 'output_text', annotations: Array.isArray(extension?.annotations) ? extension.annotations : [], logprobs: [], text: part.text }
      const item: JsonObject = { id: ids('msg_'), type: 'message', status: 'completed', content: [content], role: 'assistant' }
      if (typeof extension?.phase === 'string') item.phase = extension.phase
      items.push(item)
    } else if (part.type === 'tool-call') {
      items.push({ id: ids('fc_'), type: 'function_call', status: 'completed', arguments: part.arguments || '{}', call_id: part.id, name: part.name })
    } else if (part.type === 'reasoning') {
      items.push(encodeReasoningItem(part, reasoningItemId(part, ids)))
    } else if (part.type === 'raw' && part.format === FORMAT) {
      items.push(part.value)
    }
  }
  return items
}

/** A reasoning part → a `reasoning` item (summary text; `encrypted_content` only for its own format). */
export function encodeReasoningItem(part: Pick<ReasoningPart, 'text' | 'encrypted' | 'origin'>, id: string | undefined): JsonObject {
  const item: JsonObject = { ...(id !== undefined ? { id } : {}), type: 'reasoning', summary: part.text.length > 0 ? [{ type: 'summary_text', text: part.text }] : [] }
  if (part.origin === FORMAT && part.encrypted !== undefined) item.encrypted_content = part.encrypted
  return item
}

import type { CacheControl, ContentPart, FilePart, ImagePart, MediaSource, ReasoningPart, TextPart } from '../../core/ir'
import { isObject, parseArguments, type JsonObject } from '../../core/json'

const FORMAT = 'anthropic-messages'

function withCache<T extends Exclude<ContentPart, { type: 'raw' }>>(part: T, block: JsonObject): T {
  if (isObject(block.cache_control)) part.cacheControl = block.cache_control as unknown as CacheControl
  return part
}

function decodeSource(source: unknown): MediaSource | undefined {
  if (!isObject(source)) return undefined
  if (source.type === 'base64') return { type: 'base64', mediaType: String(source.media_type), data: String(source.data) }
  if (source.type === 'url') return { type: 'url', url: String(source.url) }
  if (source.type === 'file') return { type: 'file-id', fileId: String(source.file_id) }
  if (source.type === 'text') return { type: 'text', mediaType: String(source.media_type ?? 'text/plain'), data: String(source.data) }
  return undefined
}

function encodeSource(source: MediaSource): JsonObject {
  switch (source.type) {
    case 'base64':
      return { type: 'base64', media_type: source.mediaType, data: source.data }
    case 'url':
      return { type: 'url', url: source.url }
    case 'file-id':
      return { type: 'file', file_id: source.fileId }
    case 'text':
      return { type: 'text', media_type: source.mediaType, data: source.data }
  }
}

/**
 * One Anthropic content block → an IR part; unknown and server-tool blocks become `raw` parts.
 * @see https://docs.anthropic.com/en/api/messages#body-messages-content
 */
export function decodeAnthropicBlock(block: JsonObject): ContentPart {
  switch (block.type) {
    case 'text': {
      const part: TextPart = withCache({ type: 'text', text: String(block.text ?? '') }, block)
      if (Array.isArray(block.citations)) part.extensions = { [FORMAT]: { citations: block.citations } }
      return part
    }
    case 'image': {
      const source = decodeSource(block.source)
      if (source) return withCache<ImagePart>({ type: 'image', source }, block)
      break
    }
    case 'document': {
      const source = decodeSource(block.source)
      if (!source) break
      const part: FilePart = withCache({ type: 'file', source }, block)
      if (typeof block.title === 'string') part.title = block.title
      if (typeof block.context === 'string') part.context = block.context
      if (block.citations !== undefined) part.extensions = { [FORMAT]: { citations: block.citations } }
      return part
    }
    case 'tool_use':
      return withCache(
        { type: 'tool-call', id: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input ?? {}) },
        block,
      )
    case 'tool_result': {
      const content = typeof block.content === 'string'
        ? [{ type: 'text' as const, text: block.content }]
        : Array.isArray(block.content)
          ? (block.content as JsonObject[]).map(decodeAnthropicBlock).filter(
              (part): part is TextPart | ImagePart | FilePart => part.type === 'text' || part.type === 'image' || part.type === 'file',
            )
          : []
      const part = withCache({ type: 'tool-result' as const, callId: String(block.tool_use_id), content }, block)
      return block.is_error === true ? { ...part, isError: true } : part
    }
    case 'thinking': {
      const part: ReasoningPart = withCache({ type: 'reasoning', text: String(block.thinking ?? '') }, block)
      if (typeof block.signature === 'string' && block.signature.length > 0) {
        part.signature = block.signature
        part.origin = FORMAT
      }
      return part
    }
    case 'redacted_thinking':
      return withCache<ReasoningPart>({ type: 'reasoning', text: '', redactedData: String(block.data), origin: FORMAT }, block)
  }
  return { type: 'raw', format: FORMAT, value: block }
}

/**
 * One IR part → an Anthropic content block; undefined when Anthropic cannot carry it (another
 * format's raw block, or reasoning without an Anthropic signature: signatures are never invented).
 * @see https://docs.anthropic.com/en/api/messages#body-messages-content
 */
export function encodeAnthropicPart(part: ContentPart): JsonObject | undefined {
  let block: JsonObject
  switch (part.type) {
    case 'text':
      block = { type: 'text', text: part.text }
      if (part.extensions?.[FORMAT]?.citations) block.citations = part.extensions[FORMAT].citations
      break
    case 'image':
      block = { type: 'image', source: encodeSource(part.source) }
      break
    case 'file':
      block = { type: 'document', source: encodeSource(part.source) }
      if (part.title !== undefined) block.title = part.title
      if (part.context !== undefined) block.context = part.context
      if (part.extensions?.[FORMAT]?.citations !== undefined) block.citations = part.extensions[FORMAT].citations
      break
    case 'tool-call':
      block = { type: 'tool_use', id: part.id, name: part.name, input: parseArguments(part.arguments) ?? {} }
      break
    case 'tool-result': {
      const content = part.content.map(encodeAnthropicPart).filter((item) => item !== undefined)
      const plain = content.length === 1 && content[0].type === 'text' && !content[0].cache_control
      block = { type: 'tool_result', tool_use_id: part.callId, content: plain ? content[0].text : content }
      if (part.isError) block.is_error = true
      break
    }
    case 'reasoning':
      if (part.origin !== FORMAT) return undefined
      if (part.redactedData !== undefined) block = { type: 'redacted_thinking', data: part.redactedData }
      else if (part.signature) block = { type: 'thinking', thinking: part.text, signature: part.signature }
      else return undefined
      break
    case 'raw':
      return part.format === FORMAT ? part.value : undefined
  }
  if (part.cacheControl) block.cache_control = part.cacheControl
  return block
}

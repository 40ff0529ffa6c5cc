import { ProxyError } from '../../core/errors'
import type { ChatRequest } from '../../core/ir'
import { isObject } from '../../core/json'
import { FORMAT } from './content'

/**
 * Throws when a decoded Responses request depends on state only an OpenAI Responses upstream
 * holds: `previous_response_id` (and `conversation`) name a conversation stored there, and an
 * `item_reference` input item points into it. The proxy calls this before sending the request to
 * an upstream of any other format.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-previous_response_id
 */
export function assertTranslatable(request: ChatRequest): void {
  const extension = request.extensions[FORMAT]
  if (typeof extension?.previous_response_id === 'string' && extension.previous_response_id.length > 0) {
    throw new ProxyError(
      'invalid_request',
      'previous_response_id needs an upstream that speaks the Responses API; this model is served through another format, so send the whole conversation in `input` instead (store: false)',
      { param: 'previous_response_id' },
    )
  }
  if (extension?.conversation !== undefined && extension.conversation !== null) {
    throw new ProxyError(
      'invalid_request',
      'conversation needs an upstream that speaks the Responses API; this model is served through another format, so send the whole conversation in `input` instead',
      { param: 'conversation' },
    )
  }
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'raw' && part.format === FORMAT && part.value.type === 'item_reference') {
        throw new ProxyError(
          'invalid_request',
          'item_reference input items need an upstream that speaks the Responses API; send the referenced items themselves instead',
          { param: 'input' },
        )
      }
    }
  }
}

/**
 * What a non-Responses upstream will not receive from this request (hosted tools such as
 * `web_search` or `file_search`, custom tools, hosted-tool items in `input`), as short notes for
 * the request log. The other formats' encoders drop these by construction.
 */
export function listUntranslatable(request: ChatRequest): string[] {
  const notes: string[] = []
  const builtin = request.extensions[FORMAT]?.builtinTools
  if (Array.isArray(builtin)) {
    for (const tool of builtin) notes.push(`tool ${isObject(tool) ? String(tool.type) : 'unknown'}${isObject(tool) && typeof tool.name === 'string' ? ` (${tool.name})` : ''} dropped: only the Responses API runs it`)
  }
  let items = 0
  for (const message of request.messages) for (const part of message.content) if (part.type === 'raw' && part.format === FORMAT) items++
  if (items > 0) notes.push(`${items} hosted-tool input item(s) dropped`)
  return notes
}

/**
 * What a request asks of a model, read off its canonical form: images, extended reasoning and roughly how long
 * its prompt is. Scenario routing (`settings.routing.scenarios`) picks a model by these; a hosted web search is
 * read by formats/hosted-tools, since each format keeps its hosted tools its own way.
 * @module
 */
import type { ChatRequest, ContentPart } from './ir'

/** The request traits a scenario rule can route on. */
export type RequestTrait = 'images' | 'thinking' | 'web-search' | 'long-context'

/** Characters per token assumed by {@link estimatePromptTokens}: o200k and Claude's tokenizer give about 3.5–4.5 for English prose and code. */
export const CHARS_PER_TOKEN = 4
/** Tokens counted per image by {@link estimatePromptTokens}: about what a screenshot costs on Claude and GPT models. */
export const TOKENS_PER_IMAGE = 1_600

const hasImage = (parts: readonly ContentPart[]): boolean =>
  parts.some((part) => part.type === 'image' || (part.type === 'tool-result' && hasImage(part.content)))

/** Whether any message (or tool result) carries an image. */
export function carriesImages(request: ChatRequest): boolean {
  return request.messages.some((message) => hasImage(message.content))
}

/** Whether the client asked for extended reasoning: thinking enabled, a thinking budget, or an effort above none. */
export function asksForThinking(request: ChatRequest): boolean {
  const reasoning = request.reasoning
  if (!reasoning || reasoning.enabled === false) return false
  return reasoning.enabled === true || (reasoning.budgetTokens ?? 0) > 0 || (reasoning.effort !== undefined && reasoning.effort !== 'none')
}

function partChars(part: ContentPart): number {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.text.length
    case 'tool-call':
      return part.name.length + part.arguments.length
    case 'tool-result':
      return part.content.reduce((sum, inner) => sum + partChars(inner), 0)
    default:
      return 0
  }
}

const countImages = (parts: readonly ContentPart[]): number =>
  parts.reduce((sum, part) => sum + (part.type === 'image' ? 1 : part.type === 'tool-result' ? countImages(part.content) : 0), 0)

/**
 * A quick estimate of the prompt's tokens for routing, without loading a tokenizer: its characters (system,
 * messages, tool calls and results, tool schemas) over {@link CHARS_PER_TOKEN}, plus {@link TOKENS_PER_IMAGE} per image.
 */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0
  let images = 0
  for (const part of request.system) chars += part.text.length
  for (const message of request.messages) {
    for (const part of message.content) chars += partChars(part)
    images += countImages(message.content)
  }
  for (const tool of request.tools ?? []) chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length
  return Math.ceil(chars / CHARS_PER_TOKEN) + images * TOKENS_PER_IMAGE
}

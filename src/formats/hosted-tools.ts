/**
 * Hosted (server-side) tools as each format carries them in a request's extensions: Anthropic's `serverTools`,
 * OpenAI's and Gemini's `builtinTools`, and Chat Completions' `web_search_options`.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool
 * @see https://platform.openai.com/docs/guides/tools-web-search
 * @see https://ai.google.dev/gemini-api/docs/grounding
 * @module
 */
import type { ChatRequest } from '../core/ir'

/** A hosted search tool in any format: Anthropic `web_search_*`, OpenAI `web_search`/`web_search_preview`, Gemini `googleSearch`. */
function isSearchTool(tool: unknown): boolean {
  if (typeof tool !== 'object' || tool === null) return false
  const record = tool as Record<string, unknown>
  if (typeof record.type === 'string' && record.type.startsWith('web_search')) return true
  return 'googleSearch' in record || 'google_search' in record || 'googleSearchRetrieval' in record || 'google_search_retrieval' in record
}

/**
 * Whether the request offers the model a hosted web search (a server-side tool only some providers run;
 * Claude Code's WebSearch sends one), or asks for search outright (Chat Completions' `web_search_options`).
 */
export function wantsWebSearch(request: ChatRequest): boolean {
  for (const extension of Object.values(request.extensions)) {
    if (!extension) continue
    if ('web_search_options' in extension) return true
    for (const key of ['serverTools', 'builtinTools']) {
      const tools = extension[key]
      if (Array.isArray(tools) && tools.some(isSearchTool)) return true
    }
  }
  return false
}

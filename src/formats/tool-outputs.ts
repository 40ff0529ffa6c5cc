/**
 * Finds the outputs of shell-like tools in a client request body of any format and lets a function rewrite their
 * text in place (the token saver). Only command output is touched: a file a Read tool returned must reach the model
 * byte for byte, or the exact-match edits agents make next would miss.
 * @see https://docs.anthropic.com/en/api/messages (tool_result blocks)
 * @see https://platform.openai.com/docs/api-reference/chat/create (role "tool" messages)
 * @see https://platform.openai.com/docs/api-reference/responses/create (function_call_output items)
 * @see https://ai.google.dev/api/caching#FunctionResponse
 * @see https://github.com/ollama/ollama/blob/main/docs/api.md#chat-request-with-tools
 * @module
 */
import { isObject, type JsonObject } from '../core/json'
import type { FormatId } from './types'

type Json = JsonObject
/** Rewrites one output's text; `isError` when the client marked the result as a failure. */
export type OutputRewrite = (text: string, isError: boolean) => string

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

/** Tools that run a command: Claude Code's Bash, Codex's shell / exec_command, Cline's execute_command, Cursor's run_terminal_cmd, Gemini CLI's run_shell_command… */
export function isShellTool(name: string | undefined): boolean {
  return name !== undefined && /bash|shell|exec|command|terminal|powershell|pwsh|cmd/i.test(name)
}

/** Rewrites a string, or the text parts (`type` in `textTypes`) of an array, in `holder[key]`; returns the characters saved. */
function rewriteContent(holder: Json, key: string, textTypes: readonly string[], rewrite: OutputRewrite, isError: boolean): number {
  const value = holder[key]
  if (typeof value === 'string') {
    const next = rewrite(value, isError)
    holder[key] = next
    return value.length - next.length
  }
  let saved = 0
  for (const part of list(value)) {
    if (isObject(part) && textTypes.includes(part.type as string) && typeof part.text === 'string') {
      const next = rewrite(part.text, isError)
      saved += part.text.length - next.length
      part.text = next
    }
  }
  return saved
}

/** Chat-style messages (OpenAI Chat, Ollama): tool names from the assistant's `tool_calls`, outputs in `role: "tool"` messages. */
function chatMessages(body: Json, rewrite: OutputRewrite): number {
  const names = new Map<string, string>()
  let saved = 0
  for (const message of list(body.messages)) {
    if (!isObject(message)) continue
    for (const call of list(message.tool_calls)) {
      if (isObject(call) && isObject(call.function) && typeof call.function.name === 'string') names.set(String(call.id ?? call.function.name), call.function.name)
    }
    if (message.role !== 'tool') continue
    const name = typeof message.tool_name === 'string' ? message.tool_name : names.get(String(message.tool_call_id ?? message.name ?? ''))
    if (isShellTool(name ?? (typeof message.name === 'string' ? message.name : undefined))) saved += rewriteContent(message, 'content', ['text'], rewrite, false)
  }
  return saved
}

/** Anthropic Messages: `tool_use` blocks name the tools, `tool_result` blocks carry the outputs. */
function anthropicMessages(body: Json, rewrite: OutputRewrite): number {
  const names = new Map<string, string>()
  let saved = 0
  for (const message of list(body.messages)) {
    if (!isObject(message)) continue
    for (const block of list(message.content)) {
      if (!isObject(block)) continue
      if (block.type === 'tool_use' && typeof block.name === 'string') names.set(String(block.id), block.name)
      if (block.type === 'tool_result' && isShellTool(names.get(String(block.tool_use_id)))) saved += rewriteContent(block, 'content', ['text'], rewrite, block.is_error === true)
    }
  }
  return saved
}

/** OpenAI Responses: `function_call` / `custom_tool_call` items name the tools; their `*_output` items (and `local_shell_call_output`) carry the outputs. */
function responsesInput(body: Json, rewrite: OutputRewrite): number {
  const names = new Map<string, string>()
  let saved = 0
  for (const item of list(body.input)) {
    if (!isObject(item)) continue
    if ((item.type === 'function_call' || item.type === 'custom_tool_call') && typeof item.name === 'string') names.set(String(item.call_id), item.name)
    const name = item.type === 'local_shell_call_output' ? 'local_shell' : item.type === 'function_call_output' || item.type === 'custom_tool_call_output' ? names.get(String(item.call_id)) : undefined
    if (isShellTool(name)) saved += rewriteContent(item, 'output', ['input_text', 'output_text'], rewrite, false)
  }
  return saved
}

/** Gemini: a `functionResponse` names its tool; its `response` object's string fields (`output`, `stdout`…) are the output. */
function geminiContents(body: Json, rewrite: OutputRewrite): number {
  let saved = 0
  for (const content of list(body.contents)) {
    if (!isObject(content)) continue
    for (const part of list(content.parts)) {
      const response = isObject(part) && isObject(part.functionResponse) ? part.functionResponse : undefined
      if (!response || !isShellTool(response.name as string) || !isObject(response.response)) continue
      for (const key of ['output', 'content', 'result', 'stdout', 'stderr', 'llmContent']) {
        if (typeof response.response[key] === 'string') saved += rewriteContent(response.response, key, [], rewrite, 'error' in response.response)
      }
    }
  }
  return saved
}

/** Rewrites every shell-tool output in a client request body, in place; returns how many characters that saved. */
export function rewriteShellOutputs(format: FormatId, body: Json, rewrite: OutputRewrite): number {
  switch (format) {
    case 'openai-chat':
    case 'ollama':
      return chatMessages(body, rewrite)
    case 'anthropic-messages':
      return anthropicMessages(body, rewrite)
    case 'openai-responses':
      return responsesInput(body, rewrite)
    case 'gemini':
      return geminiContents(body, rewrite)
  }
}

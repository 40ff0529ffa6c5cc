import { describe, expect, test } from 'bun:test'
import { isShellTool, rewriteShellOutputs } from '../../src/formats/tool-outputs'

const upper = (text: string) => text.toUpperCase().slice(0, 3)
const shell = 'command output'
const file = 'file contents'

describe('shell-tool outputs in each client format', () => {
  test('tool names that run commands, and ones that do not', () => {
    for (const name of ['Bash', 'shell', 'exec_command', 'local_shell', 'execute_command', 'run_terminal_cmd', 'run_shell_command', 'developer__shell', 'PowerShell']) expect(isShellTool(name)).toBe(true)
    for (const name of ['Read', 'Edit', 'Grep', 'read_file', 'write_to_file', 'WebFetch', undefined]) expect(isShellTool(name)).toBe(false)
  })

  test('Anthropic: only tool_result blocks of a Bash tool_use change; the error flag is passed on', () => {
    const seen: boolean[] = []
    const body = {
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'Bash', input: {} }, { type: 'tool_use', id: 'b', name: 'Read', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: shell, is_error: true }, { type: 'tool_result', tool_use_id: 'b', content: [{ type: 'text', text: file }] }] },
      ],
    }
    expect(rewriteShellOutputs('anthropic-messages', body, (text, isError) => (seen.push(isError), upper(text)))).toBe(shell.length - 3)
    expect(body.messages[1].content).toEqual([{ type: 'tool_result', tool_use_id: 'a', content: 'COM', is_error: true }, { type: 'tool_result', tool_use_id: 'b', content: [{ type: 'text', text: file }] }])
    expect(seen).toEqual([true])
  })

  test('OpenAI Chat and Ollama: role "tool" messages of a shell call, by tool_call_id or tool_name', () => {
    const chat = {
      messages: [
        { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'execute_command', arguments: '{}' } }, { id: 'b', type: 'function', function: { name: 'read_file', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: shell }] },
        { role: 'tool', tool_call_id: 'b', content: file },
      ],
    }
    rewriteShellOutputs('openai-chat', chat, upper)
    expect(chat.messages.slice(1)).toEqual([{ role: 'tool', tool_call_id: 'a', content: [{ type: 'text', text: 'COM' }] }, { role: 'tool', tool_call_id: 'b', content: file }])
    const ollama = { messages: [{ role: 'tool', tool_name: 'run_shell', content: shell }, { role: 'tool', tool_name: 'read', content: file }] }
    rewriteShellOutputs('ollama', ollama, upper)
    expect(ollama.messages.map((message) => message.content)).toEqual(['COM', file])
  })

  test('Responses: function_call_output and local_shell_call_output items of shell calls', () => {
    const body = {
      input: [
        { type: 'function_call', call_id: 'a', name: 'shell', arguments: '{}' },
        { type: 'function_call_output', call_id: 'a', output: shell },
        { type: 'function_call', call_id: 'b', name: 'apply_patch', arguments: '{}' },
        { type: 'function_call_output', call_id: 'b', output: file },
        { type: 'local_shell_call_output', call_id: 'c', output: shell },
      ],
    }
    rewriteShellOutputs('openai-responses', body, upper)
    expect(body.input.map((item) => (item as { output?: string }).output)).toEqual([undefined, 'COM', undefined, file, 'COM'])
  })

  test('Gemini: string fields of a shell functionResponse', () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: shell, exitCode: 0 } } }, { functionResponse: { name: 'read_file', response: { output: file } } }] },
      ],
    }
    rewriteShellOutputs('gemini', body, upper)
    expect(body.contents[0].parts.map((part) => part.functionResponse.response.output)).toEqual(['COM', file])
  })
})

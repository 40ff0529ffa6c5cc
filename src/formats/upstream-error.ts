import { describeHtmlPage, kindForStatus, ProxyError } from '../core/errors'

/**
 * Reads an upstream's HTTP error body, whatever format it speaks, keeping its status and message:
 * OpenAI `{error:{message,code}}`, Anthropic `{type:"error",error:{type,message}}`,
 * Gemini `{error:{code,message,status}}`, Ollama `{error:"…"}`, an HTML page (told by its title), or plain text.
 */
export function decodeUpstreamError(status: number, text: string, label: string): ProxyError {
  let message: string | undefined
  let code: string | undefined
  try {
    const body = JSON.parse(text) as Record<string, any>
    const error = Array.isArray(body) ? body[0]?.error : body.error
    if (typeof error === 'string') message = error
    else if (error && typeof error === 'object') {
      message = typeof error.message === 'string' ? error.message : undefined
      code = typeof error.code === 'string' ? error.code : typeof error.status === 'string' ? error.status : typeof error.type === 'string' ? error.type : undefined
    } else if (typeof body.message === 'string') message = body.message
  } catch {
    message = describeHtmlPage(text) ?? (text.trim().slice(0, 500) || undefined)
  }
  const kind = kindForStatus(status)
  return new ProxyError(kind, `${label}: ${message ?? `upstream answered HTTP ${status}`}`, { status, code })
}

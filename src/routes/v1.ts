import { Elysia } from 'elysia'
import { ProxyError } from '../core/errors'
import { askingFormat } from '../formats/model-list'
import { OLLAMA_API_VERSION } from '../formats/ollama'
import { handleCountTokens } from '../services/count'
import { preflight, withCors } from '../services/cors'
import { handleEmbeddings } from '../services/embeddings'
import { handleGenerate } from '../services/ollama-generate'
import type { AppContext } from '../services/context'
import { getModel, listModels, showOllamaModel } from '../services/model-lookup'
import { errorResponse, handleProxy } from '../services/proxy'

/** Splits a Gemini model path (`gc/gemini-2.5-pro:generateContent`, optionally `models/…`) into model and method. */
export function parseGeminiPath(path: string): { model: string; method: string } | undefined {
  const decoded = decodeURIComponent(path).replace(/^models\//, '')
  const colon = decoded.lastIndexOf(':')
  if (colon <= 0) return undefined
  return { model: decoded.slice(0, colon), method: decoded.slice(colon + 1) }
}

function geminiCall(context: AppContext, request: Request, path: string): Promise<Response> | Response {
  const parsed = parseGeminiPath(path)
  if (parsed?.method === 'countTokens') return handleCountTokens(context, 'gemini', request, parsed.model)
  if (!parsed || (parsed.method !== 'generateContent' && parsed.method !== 'streamGenerateContent')) {
    return errorResponse('gemini', new ProxyError('not_found', `unsupported method in "${path}": use :generateContent, :streamGenerateContent or :countTokens`))
  }
  return handleProxy(context, { format: 'gemini', request, pathModel: parsed.model, pathStream: parsed.method === 'streamGenerateContent' })
}

/** The client API for every format (also under the doubled `/v1/v1` some tools send); browsers get CORS for allowed origins. */
export function v1Routes(context: AppContext) {
  const app = new Elysia({ name: 'routes/v1' })
  type Handler = (request: Request) => Response | Promise<Response>
  type PathHandler = (request: Request, path: string) => Response | Promise<Response>
  // Static routes read only the request (Elysia then builds no params for them); `*` routes also read the path.
  const post = (path: string, handle: Handler) => app.post(path, ({ request }) => withCors(context, request, handle(request)))
  const get = (path: string, handle: Handler) => app.get(path, ({ request }) => withCors(context, request, handle(request)))
  const postPath = (path: string, handle: PathHandler) => app.post(path, ({ request, params }) => withCors(context, request, handle(request, (params as Record<string, string>)['*'])))
  const getPath = (path: string, handle: PathHandler) => app.get(path, ({ request, params }) => withCors(context, request, handle(request, (params as Record<string, string>)['*'])))
  for (const base of ['/v1', '/v1/v1']) {
    post(`${base}/chat/completions`, (request) => handleProxy(context, { format: 'openai-chat', request }))
    post(`${base}/messages`, (request) => handleProxy(context, { format: 'anthropic-messages', request }))
    post(`${base}/messages/count_tokens`, (request) => handleCountTokens(context, 'anthropic-messages', request))
    post(`${base}/responses`, (request) => handleProxy(context, { format: 'openai-responses', request }))
    post(`${base}/responses/input_tokens`, (request) => handleCountTokens(context, 'openai-responses', request))
    post(`${base}/embeddings`, (request) => handleEmbeddings(context, request))
    post(`${base}/api/chat`, (request) => handleProxy(context, { format: 'ollama', request }))
    get(`${base}/models`, (request) => listModels(context, request, askingFormat(request.headers, request.url, 'openai-chat')))
    getPath(`${base}/models/*`, (request, path) => getModel(context, request, askingFormat(request.headers, request.url, 'openai-chat'), path))
    // `@google/genai` defaults to API version v1: the Gemini methods live under /v1/models/… too.
    postPath(`${base}/models/*`, (request, path) => geminiCall(context, request, path))
    app.options(`${base}/*`, ({ request }) => preflight(context, request))
  }
  get('/v1beta/models', (request) => listModels(context, request, 'gemini'))
  getPath('/v1beta/models/*', (request, path) => getModel(context, request, 'gemini', path))
  postPath('/v1beta/models/*', (request, path) => geminiCall(context, request, path))
  post('/api/chat', (request) => handleProxy(context, { format: 'ollama', request }))
  post('/api/generate', (request) => handleGenerate(context, request))
  get('/api/tags', (request) => listModels(context, request, 'ollama'))
  post('/api/show', (request) => showOllamaModel(context, request))
  post('/api/embed', (request) => handleEmbeddings(context, request, 'ollama'))
  post('/api/embeddings', (request) => handleEmbeddings(context, request, 'ollama-legacy'))
  get('/api/version', () => Response.json({ version: OLLAMA_API_VERSION }))
  for (const path of ['/v1beta/*', '/api/chat', '/api/generate', '/api/tags', '/api/show', '/api/version', '/api/embed', '/api/embeddings']) app.options(path, ({ request }) => preflight(context, request))
  return app
}

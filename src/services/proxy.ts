import { ProxyError } from '../core/errors'
import type { ChatRequest } from '../core/ir'
import { encodeError } from '../formats/errors'
import { getFormat } from '../formats'
import type { FormatId } from '../formats/types'
import type { ApiKeyRecord } from '../store/api-keys'
import { attemptCandidate, type Attempt } from './attempt'
import { authenticateClient } from './client-auth'
import type { AppContext } from './context'
import { checkJsonContentType, parseJsonObject, readBodyText } from './read-body'
import { resolveModel } from './resolve-model'

/** A client call as the route saw it; Gemini-style routes carry model and stream in the path. */
export interface InboundCall {
  format: FormatId
  request: Request
  pathModel?: string
  pathStream?: boolean
}

/** What one client request brings to every attempt: the body as sent and, decoded once on demand, its IR. */
export interface ParsedCall {
  call: InboundCall
  body: Record<string, unknown>
  model: string
  stream: boolean
  startedAt: number
  apiKey: ApiKeyRecord | null
  /** The request in canonical form, decoded the first time a candidate needs translation. */
  ir(): ChatRequest
}

/** Renders an error as a JSON response in the caller's format. */
export function errorResponse(format: FormatId, error: unknown, headers: Record<string, string> = {}): Response {
  const proxyError =
    error instanceof ProxyError ? error : new ProxyError('internal', `internal error: ${(error as Error)?.message ?? String(error)}`)
  if (proxyError.kind === 'internal') console.error('modelmux: internal error', error)
  const encoded = encodeError(format, proxyError)
  return Response.json(encoded.body, { status: encoded.status, headers })
}

function readModel(call: InboundCall, body: Record<string, unknown>): string {
  const model = call.pathModel ?? body.model
  if (typeof model !== 'string' || model.trim() === '') {
    throw new ProxyError('invalid_request', '"model" is required: a string such as "<prefix>/<model>", a combo or an alias', { param: 'model' })
  }
  return model.trim()
}

// Ollama streams unless told not to; every other API streams only when asked.
function readStream(call: InboundCall, body: Record<string, unknown>): boolean {
  if (call.pathStream !== undefined) return call.pathStream
  return call.format === 'ollama' ? body.stream !== false : body.stream === true
}

/** Serves one client request: authenticate, parse, resolve, try candidates in order, answer in the client's format. */
export async function handleProxy(context: AppContext, call: InboundCall): Promise<Response> {
  const startedAt = performance.now()
  try {
    const apiKey = authenticateClient(context, call.request.headers, call.request.url)
    checkJsonContentType(call.request.headers)
    const body = parseJsonObject(await readBodyText(call.request, context.registry.maxBodyBytes))
    const model = readModel(call, body)
    const stream = readStream(call, body)
    const candidates = resolveModel(context.registry, model)
    if (candidates.length === 0) {
      throw new ProxyError('not_found', `model "${model}" is not configured; GET /v1/models lists the models you can use`, {
        param: 'model',
        code: 'model_not_found',
      })
    }
    let decoded: ChatRequest | undefined
    const parsed: ParsedCall = {
      call,
      body,
      model,
      stream,
      startedAt,
      apiKey,
      ir: () => (decoded ??= { ...getFormat(call.format).request.decode(body), model, stream }),
    }
    const attempts: Attempt[] = []
    let lastFailure: Response | ProxyError | undefined
    for (const candidate of candidates) {
      const outcome = await attemptCandidate(context, parsed, candidate, attempts)
      if (outcome.final) return outcome.response
      lastFailure = outcome.failure
    }
    if (lastFailure instanceof Response) return lastFailure
    throw lastFailure ?? new ProxyError('upstream', 'no upstream could serve the request')
  } catch (error) {
    return errorResponse(call.format, error)
  }
}

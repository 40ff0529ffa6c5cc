import { ProxyError } from '../core/errors'
import { readModel } from '../formats/client-request'
import { renderModel, renderModelList, type ListingFormat, type ModelLookupFormat } from '../formats/model-list'
import { ollamaShowRequest, renderOllamaShow } from '../formats/ollama'
import { authenticateClient } from './client-auth'
import type { AppContext } from './context'
import { allowedModelsOf, isModelAllowed } from './key-models'
import { errorResponse } from './proxy'
import { checkJsonContentType, parseJsonObject, readBodyText } from './read-body'
import { findModel, listModelIds, unknownModelError } from './resolve-model'

/** The models the request's key may see (every model without a key or a list); throws as `authenticateClient` does. */
function allowedFor(context: AppContext, request: Request): readonly string[] | undefined {
  return allowedModelsOf(context, authenticateClient(context, request.headers, request.url))
}

/** One model the key may see, listed or routable; undefined otherwise. */
function visibleModel(context: AppContext, allowed: readonly string[] | undefined, id: string) {
  return isModelAllowed(allowed, id) ? findModel(context.registry, id) : undefined
}

/** Lists models in each client format's own shape (OpenAI, Anthropic with its paging, Gemini, Ollama). */
export function listModels(context: AppContext, request: Request, format: ListingFormat): Response {
  try {
    const allowed = allowedFor(context, request)
    const models = listModelIds(context.registry).filter((model) => isModelAllowed(allowed, model.id))
    const query = new URL(request.url).searchParams
    const page = { limit: query.get('limit'), afterId: query.get('after_id'), beforeId: query.get('before_id') }
    return Response.json(renderModelList(format, models, { now: context.now }, page))
  } catch (error) {
    return errorResponse(format, error)
  }
}

/** Looks one model up (`GET /v1/models/{id}`, Gemini `models.get`); `{id}` may contain `/`, encoded or not. */
export function getModel(context: AppContext, request: Request, format: ModelLookupFormat, path: string): Response {
  try {
    const allowed = allowedFor(context, request)
    let id = path
    try {
      id = decodeURIComponent(path)
    } catch {
      // a literal `%` in the name: taken as it is
    }
    if (format === 'gemini') id = id.replace(/^models\//, '')
    const model = visibleModel(context, allowed, id)
    if (!model) throw unknownModelError(context.registry, id, (listed) => isModelAllowed(allowed, listed))
    return Response.json(renderModel(format, model, { now: context.now }))
  } catch (error) {
    return errorResponse(format, error)
  }
}

/** Ollama's `POST /api/show {model}`: one model's details, as Ollama clients read them before offering it. */
export async function showOllamaModel(context: AppContext, request: Request): Promise<Response> {
  try {
    const allowed = allowedFor(context, request)
    checkJsonContentType(request.headers)
    const body = parseJsonObject(await readBodyText(request, context.registry.maxBodyBytes))
    const id = readModel('ollama', ollamaShowRequest(body))
    const model = visibleModel(context, allowed, id)
    if (!model) throw new ProxyError('not_found', `model "${id}" not found; GET /api/tags lists the models you can use`)
    return Response.json(renderOllamaShow(model, { now: context.now }))
  } catch (error) {
    return errorResponse('ollama', error)
  }
}

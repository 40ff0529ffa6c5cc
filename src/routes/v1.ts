import { Elysia } from 'elysia'
import type { AppContext } from '../services/context'
import { authenticateClient } from '../services/client-auth'
import { errorResponse, handleProxy } from '../services/proxy'
import { listModelIds } from '../services/resolve-model'

/** The client API: OpenAI- and Anthropic-shaped endpoints (also under the doubled `/v1/v1` some tools send). */
export function v1Routes(context: AppContext) {
  const app = new Elysia({ name: 'routes/v1' })
  for (const base of ['/v1', '/v1/v1']) {
    app
      .post(`${base}/chat/completions`, ({ request }) => handleProxy(context, { format: 'openai-chat', request }))
      .post(`${base}/messages`, ({ request }) => handleProxy(context, { format: 'anthropic-messages', request }))
      .get(`${base}/models`, ({ request }) => listModels(context, request))
  }
  return app
}

/**
 * `GET /v1/models` in OpenAI's list shape.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
function listModels(context: AppContext, request: Request): Response {
  try {
    authenticateClient(context, request.headers, request.url)
  } catch (error) {
    return errorResponse('openai-chat', error)
  }
  const created = Math.floor(context.now() / 1000)
  const data = listModelIds(context.registry).map(({ id, ownedBy }) => ({ id, object: 'model', created, owned_by: ownedBy }))
  return Response.json({ object: 'list', data })
}

import { Elysia } from 'elysia'
import { apiRoutes } from './routes/api'
import { metricsRoutes } from './routes/metrics'
import { oauthApiRoutes } from './routes/oauth-api'
import { usageApiRoutes } from './routes/usage-api'
import { pageRoutes } from './routes/pages'
import { staticRoutes } from './routes/static'
import { v1Routes } from './routes/v1'
import type { AppContext } from './services/context'
import { errorResponse } from './services/proxy'
import { ProxyError } from './core/errors'

/** Builds the HTTP app without listening, so tests can call `app.handle()`. */
export function createApp(context: AppContext) {
  return new Elysia({ name: 'modelmux' })
    .onError(({ code, request, error }) => {
      const path = new URL(request.url).pathname
      if (code === 'NOT_FOUND') {
        if (path.startsWith('/v1')) return errorResponse('openai-chat', new ProxyError('not_found', `no route ${request.method} ${path}`))
        return Response.json({ error: `no route ${request.method} ${path}` }, { status: 404 })
      }
      if (code === 'PARSE' || code === 'VALIDATION') return Response.json({ error: String((error as Error).message ?? error) }, { status: 400 })
      console.error('modelmux: unhandled error', error)
      return Response.json({ error: 'internal error' }, { status: 500 })
    })
    .use(v1Routes(context))
    .use(apiRoutes(context))
    .use(oauthApiRoutes(context))
    .use(usageApiRoutes(context))
    .use(metricsRoutes(context))
    .use(pageRoutes(context))
    .use(staticRoutes())
}

import type { Server } from 'bun'
import { Elysia } from 'elysia'
import { v1Routes } from './routes/v1'
import type { AppContext } from './services/context'
import { errorResponse } from './services/proxy'
import { ProxyError } from './core/errors'

/** Answers unknown routes and unexpected errors: in the OpenAI format under /v1, as JSON elsewhere. */
function errorHandling() {
  return new Elysia({ name: 'error-handling' }).onError({ as: 'global' }, ({ code, request, error }) => {
    const path = new URL(request.url).pathname
    if (code === 'NOT_FOUND') {
      if (path.startsWith('/v1')) return errorResponse('openai-chat', new ProxyError('not_found', `no route ${request.method} ${path}`))
      return Response.json({ error: `no route ${request.method} ${path}` }, { status: 404 })
    }
    if (code === 'PARSE' || code === 'VALIDATION') return Response.json({ error: String((error as Error).message ?? error) }, { status: 400 })
    console.error('modelmux: unhandled error', error)
    return Response.json({ error: 'internal error' }, { status: 500 })
  })
}

/**
 * Builds the HTTP app without listening, so tests can call `app.handle()`. The client API is built at once; the
 * dashboard, management API and metrics are loaded on their first request: a router most people never open the
 * dashboard of keeps their code and routes out of memory.
 */
export function createApp(context: AppContext) {
  let management: Promise<Elysia> | undefined
  const load = () => {
    management ??= import('./routes/management').then(
      ({ managementRoutes }) => new Elysia().use(errorHandling()).use(managementRoutes(context)) as unknown as Elysia,
      (error) => {
        // A failed load is tried again on the next request instead of failing every one after it.
        management = undefined
        throw error
      },
    )
    return management
  }
  const delegate = async ({ request, server }: { request: Request; server: Server<unknown> | null }) => {
    const routes = await load()
    // The inner app never listens: it answers on this one's server, whose requestIP the login limiter reads.
    if (!routes.server && server) routes.server = server
    return routes.handle(request)
  }
  const app = new Elysia({ name: 'modelmux' })
    .use(errorHandling())
    .use(v1Routes(context))
    // For uptime checks and container health checks: no key, no data; 503 once it is stopping.
    .get('/healthz', () => (context.shutdown?.tripped ? Response.json({ status: 'stopping' }, { status: 503 }) : Response.json({ status: 'ok' })))
  for (const path of ['/', '/login', '/logout', '/metrics', '/dashboard', '/dashboard/*', '/api/*', '/static/*']) app.all(path, delegate)
  return app
}

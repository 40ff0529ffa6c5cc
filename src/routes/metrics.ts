import { Elysia } from 'elysia'
import { extractClientKey } from '../services/client-auth'
import type { AppContext } from '../services/context'
import { hashApiKey } from '../services/crypto'
import { sessionPlugin } from './session'

/** Whether a request carries an enabled client API key (required here even when the proxy accepts keyless calls). */
function hasClientKey(context: AppContext, request: Request): boolean {
  const key = extractClientKey(request.headers, request.url)
  return key !== undefined && key !== '' && context.registry.apiKeysByHash.has(hashApiKey(key))
}

/**
 * `GET /metrics` in the Prometheus text format, for the dashboard session or a client API key.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export function metricsRoutes(context: AppContext) {
  return new Elysia({ name: 'routes/metrics' })
    .use(sessionPlugin(context))
    .get('/metrics', async ({ request, cookie, isSignedIn }) => {
      if (!hasClientKey(context, request) && !(await isSignedIn(cookie.auth_token.value))) {
        return Response.json({ error: 'send a client API key (Authorization: Bearer <key>) or sign in to the dashboard' }, { status: 401 })
      }
      // Counters move when the recorder flushes (every second); a scrape flushes first so it is never behind.
      await context.usage.flush()
      const names = new Map(context.registry.connections.map(({ connection }) => [connection.id, connection.name]))
      const body = context.usage.metrics.render((id) => names.get(id), {
        modelmux_usage_rows_dropped: [context.usage.dropped(), 'Usage rows dropped because the store could not keep up.'],
      })
      return new Response(body, { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } })
    })
}

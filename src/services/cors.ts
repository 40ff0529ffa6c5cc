import { isLocalHostname } from '../config/env'
import type { AppContext } from './context'

/** Response headers a page may read: the model that answered, the attempts, how tokens were counted, when to retry. */
const EXPOSED_HEADERS = 'x-modelmux-model, x-modelmux-attempts, x-modelmux-scenario, x-modelmux-token-count, x-modelmux-token-saver, x-modelmux-output-cap, retry-after'

/**
 * Whether pages from `origin` may call the client API from a browser: a local web app (any port of localhost,
 * `*.localhost` or a loopback IP) or an origin listed in `settings.corsOrigins`. A listed page on another site
 * still needs a client key (see `authenticateClient`).
 */
export function isCorsOriginAllowed(context: AppContext, origin: string): boolean {
  if (context.registry.settings.corsOrigins?.includes(origin)) return true
  try {
    const { protocol, hostname } = new URL(origin)
    return (protocol === 'http:' || protocol === 'https:') && isLocalHostname(hostname)
  } catch {
    return false
  }
}

/**
 * The CORS headers for a browser request from an allowed origin; undefined for any other request (tools send no
 * `Origin`).
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function corsHeaders(context: AppContext, request: Request): Record<string, string> | undefined {
  const origin = request.headers.get('origin')
  if (origin === null || !isCorsOriginAllowed(context, origin)) return undefined
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS, vary: 'Origin' }
}

/** Adds the CORS headers to a client API answer when a page from an allowed origin asked. */
export function withCors(context: AppContext, request: Request, answer: Response | Promise<Response>): Response | Promise<Response> {
  const headers = request.headers.has('origin') ? corsHeaders(context, request) : undefined
  if (!headers) return answer
  // Bun's responses, fetched ones included, take headers after they are made.
  const add = (response: Response) => {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
    return response
  }
  return answer instanceof Response ? add(answer) : answer.then(add)
}

/** Answers a CORS preflight: allowed origins may send any header with GET and POST; others get a 403 and no CORS headers. */
export function preflight(context: AppContext, request: Request): Response {
  const headers = corsHeaders(context, request)
  if (!headers) return new Response('this origin may not call modelmux from a browser (settings.corsOrigins lists the sites that may)', { status: 403 })
  return new Response(null, {
    status: 204,
    headers: {
      ...headers,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': request.headers.get('access-control-request-headers') ?? 'authorization, content-type',
      'access-control-max-age': '600',
      // Chrome asks before a page reaches a private address.
      ...(request.headers.get('access-control-request-private-network') === 'true' ? { 'access-control-allow-private-network': 'true' } : {}),
    },
  })
}

/**
 * A short-lived HTTP listener on 127.0.0.1 that receives the browser's OAuth redirect
 * (`/callback?code=…&state=…`), answers with a small page and hands the code over. Codex's OAuth
 * client only accepts `http://localhost:1455/auth/callback`, so its port is fixed; when that port is
 * busy the caller falls back to a pasted callback URL.
 * @module
 */
import { OAuthError } from './http'

/** A running callback listener. */
export interface CallbackListener {
  port: number
  /** The redirect URI to register in the authorize URL. */
  redirectUri: string
  /** Resolves with the code (and state) the browser brought back; rejects on an OAuth error or timeout (code `listener_timeout`). */
  result: Promise<{ code: string; state?: string }>
  close(): void
}

/** The `code` of the OAuthError a listener rejects with when no redirect arrived in time. */
export const LISTENER_TIMEOUT = 'listener_timeout'

const page = (title: string, text: string) =>
  new Response(`<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body>`, {
    headers: { 'content-type': 'text/html; charset=utf-8' },
  })

/**
 * Listens for one OAuth redirect. Returns undefined when the port is taken (fall back to pasting).
 * `expectedState`: callbacks with another state are refused (a stale or forged redirect); it is read at
 * each request, so a caller that learns the state only after starting may set it on `options` then.
 */
export function startCallbackListener(options: {
  port?: number
  path: string
  host?: string
  expectedState?: string
  timeoutMs?: number
  /** Runs on the code before the browser gets its answer (to show whether saving worked). */
  onCode?: (result: { code: string; state?: string }) => Promise<string | void>
}): CallbackListener | undefined {
  const { promise, resolve, reject } = Promise.withResolvers<{ code: string; state?: string }>()
  let server: ReturnType<typeof Bun.serve>
  try {
    server = Bun.serve({
      port: options.port ?? 0,
      hostname: '127.0.0.1',
      async fetch(request) {
        const url = new URL(request.url)
        if (url.pathname !== options.path) return new Response('not found', { status: 404 })
        const error = url.searchParams.get('error')
        if (error) {
          const message = url.searchParams.get('error_description') ?? error
          reject(new OAuthError(`the provider refused the login: ${message}`, true, undefined, error))
          setTimeout(close, 0)
          return page('Login failed', `The provider said: ${Bun.escapeHTML(message)}. You can close this tab.`)
        }
        const code = url.searchParams.get('code')
        const state = url.searchParams.get('state') ?? undefined
        if (!code) return page('Login failed', 'The redirect carried no code.')
        if (options.expectedState && state !== options.expectedState) return page('Login failed', 'This redirect belongs to another login attempt (state mismatch).')
        let note = 'modelmux has your login. You can close this tab.'
        try {
          const said = await options.onCode?.({ code, state })
          if (said) note = said
        } catch (failure) {
          reject(failure)
          setTimeout(close, 0)
          return page('Login failed', Bun.escapeHTML((failure as Error).message ?? String(failure)))
        }
        resolve({ code, state })
        setTimeout(close, 0)
        return page('Logged in', Bun.escapeHTML(note))
      },
    })
  } catch {
    return undefined
  }
  const timer = setTimeout(() => {
    reject(new OAuthError('no browser redirect arrived in time', false, undefined, LISTENER_TIMEOUT))
    close()
  }, options.timeoutMs ?? 5 * 60_000)
  let closed = false
  function close() {
    if (closed) return
    closed = true
    clearTimeout(timer)
    // Graceful: the page answering the browser is still being sent.
    void server.stop(false)
  }
  promise.catch(() => {})
  const port = server.port!
  return { port, redirectUri: `http://${options.host ?? 'localhost'}:${port}${options.path}`, result: promise, close }
}

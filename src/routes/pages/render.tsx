import { Layout, Nav, type PageId } from '../../../views/layout'

/** An HTML response (never relying on content sniffing). */
export function htmlResponse(html: string, init: ResponseInit = {}): Response {
  return new Response(html, { ...init, headers: { 'content-type': 'text/html; charset=utf-8', ...init.headers } })
}

/** A 303 redirect after a plain form post (the no-JavaScript path). */
export const redirect = (location: string) => new Response(null, { status: 303, headers: { location } })

/** True when htmx asks for a fragment (not a boosted or history-restore full page). */
export function isPartialRequest(request: Request): boolean {
  const headers = request.headers
  return headers.get('hx-request') === 'true' && headers.get('hx-boosted') !== 'true' && headers.get('hx-history-restore-request') !== 'true'
}

/** Renders a dashboard page: the whole document for a normal load, `#main`'s content plus the nav for htmx. */
export async function renderPage(request: Request, page: { title: string; active: PageId; body: JSX.Element }): Promise<Response> {
  if (isPartialRequest(request)) {
    const fragment = (
      <>
        <title safe>{page.title} · modelmux</title>
        {page.body}
        <Nav active={page.active} oob />
      </>
    )
    return htmlResponse(await fragment)
  }
  return htmlResponse(
    await (
      <Layout title={page.title} signedIn active={page.active}>
        {page.body}
      </Layout>
    ),
  )
}

/** Renders a fragment (an htmx swap target). */
export async function renderFragment(body: JSX.Element, init?: ResponseInit): Promise<Response> {
  return htmlResponse(await body, init)
}

/** The posted fields: form-encoded, multipart or JSON; repeated fields become arrays. */
export async function readForm(request: Request): Promise<Record<string, string | string[]>> {
  const type = request.headers.get('content-type') ?? ''
  if (type.includes('application/json')) {
    const json = await request.json().catch(() => ({}))
    return json && typeof json === 'object' ? (json as Record<string, string | string[]>) : {}
  }
  const out: Record<string, string | string[]> = {}
  const form = await request.formData().catch(() => undefined)
  if (!form) return out
  for (const [key, value] of form) {
    if (typeof value !== 'string') continue
    const previous = out[key]
    out[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value]
  }
  return out
}

/** One posted field as a string ('' when absent; the first of repeated values). */
export function field(form: Record<string, string | string[]>, name: string): string {
  const value = form[name]
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
}

/** A posted field as a list (repeated fields, or one). */
export function fieldList(form: Record<string, string | string[]>, name: string): string[] {
  const value = form[name]
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

/** The origin clients should use: the Host the browser used, else the configured address. */
export function publicOrigin(request: Request, fallback: string): string {
  const host = request.headers.get('host')
  return host ? `${new URL(request.url).protocol}//${host}` : fallback
}

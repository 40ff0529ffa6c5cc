import { expect } from 'bun:test'

/** Signs in through the JSON API; returns the `auth_token=…` cookie pair. */
export async function signIn(url: string, password = 'test-password-1'): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) })
  expect(response.status).toBe(200)
  return (response.headers.get('set-cookie') ?? '').split(';')[0]
}

/** A signed-in client: `page(path)` for HTML, `post(path, fields)` like htmx, `json(method, path, body)` for the API. */
export function client(url: string, cookie: string) {
  return {
    page: (path: string, htmx = false) => fetch(url + path, { headers: { cookie, ...(htmx ? { 'hx-request': 'true' } : {}) }, redirect: 'manual' }),
    post: (path: string, fields: Record<string, string | string[]> = {}) => {
      const body = new URLSearchParams()
      for (const [key, value] of Object.entries(fields)) for (const item of Array.isArray(value) ? value : [value]) body.append(key, item)
      return fetch(url + path, { method: 'POST', headers: { cookie, 'hx-request': 'true' }, body, redirect: 'manual' })
    },
    json: (method: string, path: string, body?: unknown) =>
      fetch(url + path, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
  }
}

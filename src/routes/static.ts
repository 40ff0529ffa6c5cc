import { Elysia } from 'elysia'
import alpine from 'alpinejs/dist/cdn.min.js' with { type: 'file' }
import htmx from 'htmx.org/dist/htmx.min.js' with { type: 'file' }
import css from '../../static/app.css' with { type: 'file' }
import appJs from '../../static/app.js' with { type: 'file' }

// Files embedded in the binary at build time; `with { type: 'file' }` yields a path inside the bundle.
const assets: Record<string, { path: string; type: string }> = {
  'htmx.min.js': { path: htmx, type: 'text/javascript; charset=utf-8' },
  'alpine.min.js': { path: alpine, type: 'text/javascript; charset=utf-8' },
  'app.css': { path: css, type: 'text/css; charset=utf-8' },
  'app.js': { path: appJs, type: 'text/javascript; charset=utf-8' },
}

/** Serves the embedded static assets under `/static/`. */
export function staticRoutes() {
  return new Elysia({ name: 'routes/static' }).get('/static/:file', ({ params, set }) => {
    const asset = assets[params.file]
    if (!asset) {
      set.status = 404
      return 'not found'
    }
    return new Response(Bun.file(asset.path), {
      headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' },
    })
  })
}

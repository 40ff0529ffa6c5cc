import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { configDownload } from '../services/config-export'
import { explainRoute } from '../services/route-explain'
import { applyCliTool, CliToolError, isCliToolId, listCliTools, resetCliTool } from '../services/cli-tools'
import type { AppContext } from '../services/context'
import { restoreDatabase } from '../services/database-restore'
import {
  changePassword,
  createConnection,
  patchSettings,
  readSettings,
  removeAlias,
  removeCombo,
  removeConnection,
  saveAlias,
  saveCombo,
  toggleConnection,
  updateConnection,
  type FieldErrors,
} from '../services/management'
import { setConnectionPriorities, backupDatabase } from '../store/dashboard-queries'
import { listAliases, listCombos } from '../store/combos'
import type { Settings } from '../config/file'
import { jsonError, readJson } from './json'

const invalid = (errors: FieldErrors) => jsonError(400, Object.entries(errors).map(([field, message]) => `${field}: ${message}`).join('; '), errors)

/**
 * Runs `handle` on a JSON object body (its field checks then report what is missing or wrong). Anything else —
 * malformed JSON, an array, a number — is a 400 and changes nothing: a PATCH of it must not answer ok.
 */
async function withObject<T>(request: Request, handle: (body: Record<string, unknown>) => T): Promise<Awaited<T> | Response> {
  const value = await readJson(request)
  if (!value || typeof value !== 'object' || Array.isArray(value)) return jsonError(400, 'the body must be a JSON object')
  return await handle(value as Record<string, unknown>)
}

/** An uploaded file: the `file` field of a multipart form, else the raw body (undefined when empty). */
export async function readUpload(request: Request): Promise<Uint8Array | undefined> {
  if ((request.headers.get('content-type') ?? '').includes('multipart/form-data')) {
    const form = await request.formData().catch(() => undefined)
    const file = form?.get('file')
    if (!file || typeof file === 'string') return undefined
    const bytes = new Uint8Array(await file.arrayBuffer())
    return bytes.byteLength > 0 ? bytes : undefined
  }
  const bytes = new Uint8Array(await request.arrayBuffer().catch(() => new ArrayBuffer(0)))
  return bytes.byteLength > 0 ? bytes : undefined
}

const toolEnv = () => ({ home: process.env.HOME || homedir(), path: process.env.PATH })

/**
 * JSON management routes (mounted inside `apiRoutes`, behind its session and same-origin checks):
 * connections, combos, aliases, settings, password, database backup and CLI tool configs.
 */
export function manageApiRoutes(context: AppContext) {
  return new Elysia({ name: 'routes/manage-api' })
    .post('/providers', ({ request }) =>
      withObject(request, (body) => {
        const result = createConnection(context, body)
        return result.ok ? { ok: true, id: result.value } : invalid(result.errors)
      }),
    )
    .put('/providers/:id', ({ params, request }) =>
      withObject(request, (body) => {
        const result = updateConnection(context, Number(params.id), body)
        if (!result) return jsonError(404, 'no such connection')
        return result.ok ? { ok: true, id: result.value } : invalid(result.errors)
      }),
    )
    .patch('/providers/:id', ({ params, request }) => {
      const id = Number(params.id)
      if (!context.registry.connections.some(({ connection }) => connection.id === id)) return jsonError(404, 'no such connection')
      return withObject(request, (body) => {
        if (body.enabled !== undefined && typeof body.enabled !== 'boolean') return invalid({ enabled: 'must be true or false' })
        if (body.priority !== undefined && !(Number.isInteger(body.priority) && (body.priority as number) >= 0)) return invalid({ priority: 'must be a whole number ≥ 0' })
        if (typeof body.enabled === 'boolean') toggleConnection(context, id, body.enabled)
        if (typeof body.priority === 'number') {
          setConnectionPriorities(context.db, new Map([[id, body.priority]]), context.now())
          context.reload()
        }
        return { ok: true }
      })
    })
    .delete('/providers/:id', ({ params }) => (removeConnection(context, Number(params.id)) ? { ok: true } : jsonError(404, 'no such connection')))
    .get('/route', ({ request }) => {
      const model = new URL(request.url).searchParams.get('model')?.trim()
      return model ? explainRoute(context, model) : jsonError(400, 'name the model: /api/route?model=<name>')
    })
    .get('/combos', () => ({ combos: listCombos(context.db) }))
    .post('/combos', ({ request }) =>
      withObject(request, (body) => {
        const result = saveCombo(context, { name: body.name, models: body.models, strategy: body.strategy })
        return result.ok ? { ok: true, name: result.value } : invalid(result.errors)
      }),
    )
    .put('/combos/:id', ({ params, request }) =>
      withObject(request, (body) => {
        const result = saveCombo(context, { id: Number(params.id), name: body.name, models: body.models, strategy: body.strategy })
        return result.ok ? { ok: true, name: result.value } : invalid(result.errors)
      }),
    )
    .delete('/combos/:id', ({ params }) => (removeCombo(context, Number(params.id)) ? { ok: true } : jsonError(404, 'no such combo')))
    .get('/aliases', () => ({ aliases: listAliases(context.db) }))
    .post('/aliases', ({ request }) =>
      withObject(request, (body) => {
        const result = saveAlias(context, { name: body.name, target: body.target })
        return result.ok ? { ok: true } : invalid(result.errors)
      }),
    )
    .delete('/aliases/:name', ({ params }) => (removeAlias(context, params.name) ? { ok: true } : jsonError(404, 'no such alias')))
    .get('/settings', () => ({ settings: readSettings(context), effective: { timeouts: context.registry.timeouts, maxBodyBytes: context.registry.maxBodyBytes } }))
    .patch('/settings', ({ request }) =>
      withObject(request, (body: Settings) => {
        const result = patchSettings(context, (settings) => ({ ...settings, ...body }))
        return result.ok ? { ok: true, settings: result.value } : invalid(result.errors)
      }),
    )
    .post('/settings/password', ({ request }) =>
      withObject(request, async (body) => {
        const result = await changePassword(context, { current: body.currentPassword, next: body.newPassword, confirm: body.newPassword })
        return result.ok ? { ok: true } : invalid(result.errors)
      }),
    )
    .get('/config', () => configDownload(context.db, context.encryptionKey))
    .get('/settings/database', () => {
      const directory = mkdtempSync(join(tmpdir(), 'modelmux-backup-'))
      try {
        const path = join(directory, 'modelmux.db')
        backupDatabase(context.db, path)
        return new Response(readFileSync(path), { headers: { 'content-type': 'application/vnd.sqlite3', 'content-disposition': 'attachment; filename="modelmux.db"' } })
      } finally {
        rmSync(directory, { recursive: true, force: true })
      }
    })
    .post('/settings/database', async ({ request }) => {
      const bytes = await readUpload(request)
      if (!bytes) return jsonError(400, 'send the backup file as the body or as the "file" field of a multipart form')
      const result = restoreDatabase(context, bytes)
      return result.ok ? { ok: true, backup: result.backupPath, restored: result.counts } : jsonError(400, result.error)
    })
    .get('/cli-tools', () => ({ tools: listCliTools(toolEnv()) }))
    .post('/cli-tools/:id', ({ params, request }) => {
      const tool = params.id
      if (!isCliToolId(tool)) return jsonError(404, 'no such tool')
      return withObject(request, (body) => {
        const errors: FieldErrors = {}
        if (typeof body.model !== 'string' || !body.model.trim()) errors.model = 'required'
        if (typeof body.apiKey !== 'string' || !body.apiKey.trim()) errors.apiKey = 'required'
        if (Object.keys(errors).length) return invalid(errors)
        const origin = new URL(request.url).origin
        try {
          return { ok: true, backups: applyCliTool(toolEnv(), tool, { origin, apiKey: String(body.apiKey), model: String(body.model) }) }
        } catch (error) {
          if (error instanceof CliToolError) return jsonError(409, error.message)
          throw error
        }
      })
    })
    .delete('/cli-tools/:id', ({ params }) => {
      if (!isCliToolId(params.id)) return jsonError(404, 'no such tool')
      try {
        return { ok: true, backups: resetCliTool(toolEnv(), params.id) }
      } catch (error) {
        if (error instanceof CliToolError) return jsonError(409, error.message)
        throw error
      }
    })
}

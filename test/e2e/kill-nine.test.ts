import { expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Database } from 'bun:sqlite'
import { spawnServer } from '../helpers/spawn-server'

test('kill -9 in the middle of writes loses no committed configuration', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelmux-kill-'))
  try {
    const env = { DATA_DIR: join(dir, 'data'), INITIAL_PASSWORD: 'kill-test-password' }
    const confirmed: string[] = []
    {
      await using server = await spawnServer(env)
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: env.INITIAL_PASSWORD }),
      })
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
      // Eight writers create keys as fast as they can; the process is killed while they run.
      let stop = false
      const writer = async (id: number) => {
        for (let i = 0; !stop; i++) {
          const name = `w${id}-${i}`
          try {
            const response = await fetch(`${server.url}/api/keys`, {
              method: 'POST',
              headers: { cookie, 'content-type': 'application/json' },
              body: JSON.stringify({ name }),
            })
            if (response.status === 200) confirmed.push(name)
          } catch {
            return
          }
        }
      }
      const writers = Array.from({ length: 8 }, (_, id) => writer(id))
      while (confirmed.length < 150) await Bun.sleep(2)
      server.proc.kill('SIGKILL')
      await server.proc.exited
      stop = true
      await Promise.all(writers)
    }
    const db = new Database(join(env.DATA_DIR, 'modelmux.db'))
    expect(db.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    const names = new Set((db.query('SELECT name FROM api_keys').all() as { name: string }[]).map((row) => row.name))
    db.close()
    expect(confirmed.length).toBeGreaterThanOrEqual(150)
    expect(confirmed.filter((name) => !names.has(name))).toEqual([])
    // And the server starts again on the same data.
    await using restarted = await spawnServer(env)
    expect((await fetch(`${restarted.url}/v1/models`)).status).toBe(200)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

import { describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pkg from '../../package.json'
import { spawnServer } from '../helpers/spawn-server'

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn(['bun', 'run', 'src/main.ts', ...args], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' })
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  return { code, stdout, stderr }
}

function tempDir(): string & Disposable {
  const dir = mkdtempSync(join(tmpdir(), 'modelmux-cli-'))
  return Object.assign(dir, { [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) }) as string & Disposable
}

describe('command line', () => {
  test('--help and --version', async () => {
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('modelmux keys create --name NAME')
    expect(help.stdout).toContain('--config FILE')
    const version = await run(['--version'])
    expect(version.stdout.trim()).toBe(`modelmux ${pkg.version}`)
  })

  test('health: exit 0 while the server answers /healthz (no key needed), 1 when nothing answers', async () => {
    using dir = tempDir()
    await using server = await spawnServer({ DATA_DIR: join(dir, 'data'), INITIAL_PASSWORD: 'cli-test-pass-1', REQUIRE_API_KEY: 'true' })
    const healthz = await fetch(`${server.url}/healthz`)
    expect([healthz.status, await healthz.json()]).toEqual([200, { status: 'ok' }])
    const up = await run(['health', '--port', new URL(server.url).port])
    expect([up.code, up.stdout.trim()]).toEqual([0, `ok: ${server.url}/healthz`])
    const down = await run(['health', '--port', '9'])
    expect(down.code).toBe(1)
    expect(down.stderr).toContain('no answer from http://127.0.0.1:9/healthz')
  })

  test('unknown options and bad env values stop with one line and exit 2', async () => {
    const unknown = await run(['--frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim()).toBe('modelmux: unknown option --frobnicate (see modelmux --help)')
    const badPort = await run([], { PORT: '99999' })
    expect(badPort.code).toBe(2)
    expect(badPort.stderr.trim().split('\n')).toHaveLength(1)
    expect(badPort.stderr).toContain('PORT:')
  })

  test('a port in use, a data dir that cannot be made or a corrupt database stop start-up with one line, and touch nothing', async () => {
    using dir = tempDir()
    // A second modelmux on a port in use must not share it silently (Elysia's default is SO_REUSEPORT).
    await using first = await spawnServer({ DATA_DIR: join(dir, 'first'), INITIAL_PASSWORD: 'first-password-1' })
    const port = new URL(first.url).port
    const second = await run([], { DATA_DIR: join(dir, 'second'), PORT: port, INITIAL_PASSWORD: 'second-password-1' })
    expect(second.code).toBe(2)
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^modelmux: cannot listen on 127\\.0\\.0\\.1:${port}: .*in use`))])
    expect((await fetch(`${first.url}/v1/models`)).status).toBe(200)

    writeFileSync(join(dir, 'a-file'), 'not a directory')
    const notADirectory = await run([], { DATA_DIR: join(dir, 'a-file', 'data'), PORT: '0', INITIAL_PASSWORD: 'some-password-1' })
    expect(notADirectory.code).toBe(2)
    expect(notADirectory.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^modelmux: data dir .*a-file\/data: .*(ENOTDIR|not a directory)/i)])

    const corrupt = join(dir, 'corrupt')
    mkdirSync(corrupt)
    const garbage = 'this is not a database, but it is somebody\'s file'.repeat(200)
    writeFileSync(join(corrupt, 'modelmux.db'), garbage)
    const broken = await run([], { DATA_DIR: corrupt, PORT: '0', INITIAL_PASSWORD: 'some-password-1' })
    expect(broken.code).toBe(2)
    expect(broken.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^modelmux: database .*modelmux\.db: .*not a database/)])
    expect(readFileSync(join(corrupt, 'modelmux.db'), 'utf8')).toBe(garbage)
  }, 30_000)

  test('first start prints a random password exactly once; keys create and password reset work', async () => {
    using dir = tempDir()
    const env = { DATA_DIR: join(dir, 'data'), INITIAL_PASSWORD: '' }
    let firstPassword: string
    {
      await using server = await spawnServer(env)
      const match = /dashboard password is (\S+)/.exec(server.banner)
      expect(match).not.toBeNull()
      firstPassword = match![1]
      const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: firstPassword }) })
      expect(login.status).toBe(200)
    }
    {
      await using again = await spawnServer(env)
      expect(again.banner).not.toContain('password')
    }
    const created = await run(['keys', 'create', '--name', 'laptop'], env)
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^sk-mm-[A-Za-z0-9_-]{40,}$/)
    const duplicate = await run(['keys', 'create', '--name', 'laptop'], env)
    expect(duplicate.code).toBe(2)
    const listed = await run(['keys', 'list'], env)
    expect(listed.stdout).toContain('laptop')
    expect(listed.stdout).not.toContain(key)
    const reset = await run(['password', 'reset'], env)
    const newPassword = /New dashboard password: (\S+)/.exec(reset.stdout)![1]
    expect(newPassword).not.toBe(firstPassword)
    await using server = await spawnServer({ ...env, REQUIRE_API_KEY: 'true' })
    expect((await fetch(`${server.url}/v1/models`, { headers: { 'x-api-key': key } })).status).toBe(200)
    const login = (password: string) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) })
    expect((await login(firstPassword)).status).toBe(401)
    expect((await login(newPassword)).status).toBe(200)
  })
})

import { describe, expect, test } from 'bun:test'
import { copyFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { binaryName, hostTarget } from '../../build'
import pkg from '../../package.json'
import { get, packagedBinary, root, startBinary, tempDir } from './helpers'

// The host binary, copied alone into an empty directory, must run with nothing beside it.
describe(`packaged binary (${binaryName(hostTarget())})`, () => {
  test('--version', async () => {
    await using dir = tempDir('binary')
    const binary = join(dir.path, 'modelmux')
    copyFileSync(await packagedBinary(hostTarget()), binary)
    const proc = Bun.spawn([binary, '--version'], { cwd: dir.path, env: {}, stdout: 'pipe' })
    expect(await new Response(proc.stdout).text()).toBe(`modelmux ${pkg.version}\n`)
    expect(await proc.exited).toBe(0)
  }, 60_000) // the first test builds the binary

  test('serves the API, pages and embedded assets', async () => {
    await using dir = tempDir('binary')
    const binary = join(dir.path, 'modelmux')
    copyFileSync(await packagedBinary(hostTarget()), binary)
    expect(readdirSync(dir.path)).toEqual(['modelmux'])
    await using server = await startBinary([binary], {
      cwd: dir.path,
      env: { DATA_DIR: join(dir.path, 'data'), PORT: '0', HOSTNAME: '127.0.0.1', INITIAL_PASSWORD: 'packaging-test-1' },
    })

    const models = await get(server.url, '/v1/models')
    expect(models.status).toBe(200)
    expect(JSON.parse(models.body)).toMatchObject({ object: 'list', data: expect.any(Array) })

    const login = await get(server.url, '/login')
    expect(login.status).toBe(200)
    expect(login.type).toContain('text/html')
    expect(login.body).toContain('<form')

    // Byte-for-byte the files the source tree imports, so the embedding is real, not a stub.
    const assets = {
      'htmx.min.js': 'node_modules/htmx.org/dist/htmx.min.js',
      'alpine.min.js': 'node_modules/alpinejs/dist/cdn.min.js',
      'app.css': 'static/app.css',
    }
    for (const [name, source] of Object.entries(assets)) {
      const asset = await get(server.url, `/static/${name}`)
      expect(asset.status).toBe(200)
      expect(asset.body).toBe(await Bun.file(join(root, source)).text())
    }
    expect((await get(server.url, '/static/htmx.min.js')).type).toContain('javascript')
  }, 30_000)
})

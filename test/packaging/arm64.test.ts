import { describe, expect, test } from 'bun:test'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../../package.json'
import { get, isCI, packagedBinary, root, startBinary, tempDir } from './helpers'

// The linux-arm64 binary under qemu-user, against Debian's arm64 libc unpacked by
// scripts/arm64-sysroot.sh. Missing prerequisites skip locally but fail in CI, which must prove it.
const qemu = Bun.which('qemu-aarch64')
const sysroot = process.env.MODELMUX_ARM64_SYSROOT ?? join(root, '.tmp/arm64-sysroot')
const missing = !qemu
  ? 'qemu-aarch64 not found (apt-get install qemu-user)'
  : !existsSync(join(sysroot, '.complete'))
    ? `no arm64 sysroot at ${sysroot} (run scripts/arm64-sysroot.sh)`
    : undefined

describe('linux-arm64 binary under qemu-aarch64', () => {
  if (missing) {
    if (isCI) test('prerequisites', () => {
      throw new Error(`CI must run this test, but: ${missing}`)
    })
    else test.skip(`skipped: ${missing}`, () => {})
    return
  }

  test('prints its version and answers /v1/models', async () => {
    await using dir = tempDir('arm64')
    const binary = join(dir.path, 'modelmux')
    copyFileSync(await packagedBinary('linux-arm64'), binary)

    const version = Bun.spawnSync([qemu!, '-L', sysroot, binary, '--version'], { env: {}, cwd: dir.path, timeout: 60_000 })
    expect(version.stdout.toString()).toBe(`modelmux ${pkg.version}\n`)

    // Emulated start-up is slow: allow a minute before calling it stuck.
    await using server = await startBinary([qemu!, '-L', sysroot, binary], {
      cwd: dir.path,
      env: { DATA_DIR: join(dir.path, 'data'), PORT: '0', HOSTNAME: '127.0.0.1', INITIAL_PASSWORD: 'packaging-test-1' },
      timeoutMs: 60_000,
    })
    const models = await get(server.url, '/v1/models')
    expect(models.status).toBe(200)
    expect(JSON.parse(models.body)).toMatchObject({ object: 'list', data: expect.any(Array) })
    expect((await get(server.url, '/static/htmx.min.js')).status).toBe(200)
  }, 120_000)
})

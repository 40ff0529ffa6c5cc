import { describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { hostTarget } from '../../build'
import { get, isCI, packagedBinary, root, startBinary, tempDir } from './helpers'

// Assembles the Dockerfile's final FROM-scratch file set with scripts/rootfs-files.sh and runs
// it the way a container would: chrooted, as uid 10001, with only /proc provided from outside.
const script = join(root, 'scripts/rootfs-files.sh')
const unshare = Bun.which('unshare')
const chroot = Bun.which('chroot', { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' })
const skip =
  process.getuid?.() !== 0 ? 'needs root (chroot, mount namespace)' : !unshare || !chroot ? 'needs unshare and chroot (util-linux, coreutils)' : undefined

describe('FROM scratch rootfs', () => {
  if (skip) {
    if (isCI) test('prerequisites', () => {
      throw new Error(`CI must run this test, but: ${skip}`)
    })
    else test.skip(`skipped: ${skip}`, () => {})
    return
  }

  test('holds the binary, its libraries, certificates and the non-root user', async () => {
    await using dir = tempDir('rootfs')
    const binary = await packagedBinary(hostTarget())
    const list = Bun.spawnSync(['bash', script, '--list', binary], { stderr: 'inherit' })
    expect(list.exitCode).toBe(0)
    const files = list.stdout.toString().trim().split('\n')
    expect(files.some((f) => f.endsWith('/libc.so.6'))).toBe(true)
    expect(files).toContain('/etc/ssl/certs/ca-certificates.crt')

    const rootfs = join(dir.path, 'rootfs')
    expect(Bun.spawnSync(['bash', script, binary, rootfs], { stderr: 'inherit' }).exitCode).toBe(0)
    expect(readdirSync(rootfs)).toEqual(expect.arrayContaining(['data', 'etc', 'lib', 'modelmux', 'tmp']))
    for (const file of files.slice(1)) expect(existsSync(join(rootfs, file))).toBe(true)
    expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toContain(':10001:10001:')
    expect(readFileSync(join(rootfs, 'etc/group'), 'utf8')).toContain(':10001:')
    const data = statSync(join(rootfs, 'data'))
    expect([data.uid, data.gid, data.mode & 0o7777]).toEqual([10001, 10001, 0o700])
    expect(statSync(join(rootfs, 'tmp')).mode & 0o7777).toBe(0o1777)
  }, 60_000)

  test('runs chrooted as uid 10001 and answers /v1/models', async () => {
    await using dir = tempDir('rootfs')
    const rootfs = join(dir.path, 'rootfs')
    expect(Bun.spawnSync(['bash', script, await packagedBinary(hostTarget()), rootfs], { stderr: 'inherit' }).exitCode).toBe(0)
    mkdirSync(join(rootfs, 'proc')) // a container runtime mounts /proc; Bun reads /proc/self/exe
    await using server = await startBinary(
      // A private mount namespace with proc mounted in the rootfs; unshare and chroot exec (no
      // fork), so the spawned process is modelmux itself and SIGTERM reaches it directly.
      [unshare!, `--mount-proc=${join(rootfs, 'proc')}`, chroot!, '--userspec=10001:10001', rootfs, '/modelmux'],
      { env: { DATA_DIR: '/data', PORT: '0', HOSTNAME: '127.0.0.1', INITIAL_PASSWORD: 'packaging-test-1' } },
    )
    const models = await get(server.url, '/v1/models')
    expect(models.status).toBe(200)
    expect(JSON.parse(models.body)).toMatchObject({ object: 'list', data: expect.any(Array) })
    expect((await get(server.url, '/static/htmx.min.js')).status).toBe(200)
    expect(statSync(join(rootfs, 'data/modelmux.db')).uid).toBe(10001)
    expect(readFileSync(`/proc/${server.proc.pid}/cmdline`, 'utf8')).toBe('/modelmux\0')
    // The Dockerfile's HEALTHCHECK command, run the same way inside the image's file set, finds the server.
    const healthcheck = JSON.parse(/^HEALTHCHECK .* CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))![1]) as string[]
    const port = new URL(server.url).port
    const check = (env: Record<string, string>) =>
      Bun.spawnSync([unshare!, `--mount-proc=${join(rootfs, 'proc')}`, chroot!, '--userspec=10001:10001', rootfs, ...healthcheck], { env: { DATA_DIR: '/data', HOSTNAME: '0.0.0.0', ...env } })
    expect(check({ PORT: port }).exitCode).toBe(0)
    expect(check({ PORT: '9' }).exitCode).toBe(1)
  }, 30_000)
})

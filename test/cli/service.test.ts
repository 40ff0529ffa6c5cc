import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRuntimeConfig } from '../../src/config/env'
import { runService, startCommand, type ServiceDeps } from '../../src/cli/service'

let home: string
let bin: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'modelmux-service-'))
  bin = join(home, 'bin')
  mkdirSync(bin)
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

const runtime = () => readRuntimeConfig({ PORT: '20200', HOSTNAME: '127.0.0.1', DATA_DIR: join(home, 'data dir'), MODELMUX_CONFIG: join(home, 'config.json') })
function deps(os: NodeJS.Platform, lines: string[], path = bin): ServiceDeps {
  return {
    os,
    home,
    env: { REQUIRE_API_KEY: 'true', SECRET_THING: 'not copied', MODELMUX_ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', HTTPS_PROXY: 'http://me:p%40ss@proxy:3128' },
    execPath: '/usr/local/bin/bun',
    entry: '/work/modelmux/src/main.ts',
    path,
    out: (line) => lines.push(line),
  }
}
/** A stand-in service manager on PATH that notes how it was called. */
function fakeManager(name: string, exitCode = 0) {
  const script = join(bin, name)
  writeFileSync(script, `#!/bin/sh\necho "$@" >> "${join(home, `${name}.calls`)}"\nexit ${exitCode}\n`)
  chmodSync(script, 0o755)
  return () => (existsSync(join(home, `${name}.calls`)) ? readFileSync(join(home, `${name}.calls`), 'utf8').trim().split('\n') : [])
}

describe('modelmux service', () => {
  test('linux: a systemd user unit with the options given now, enabled through systemctl; status and uninstall', () => {
    const calls = fakeManager('systemctl')
    const lines: string[] = []
    expect(runService('install', runtime(), deps('linux', lines))).toBe(0)
    const unit = readFileSync(join(home, '.config/systemd/user/modelmux.service'), 'utf8')
    expect(unit).toContain('ExecStart=/usr/local/bin/bun run /work/modelmux/src/main.ts\n')
    expect(unit).toContain('Environment=PORT=20200\n')
    expect(unit).toContain(`Environment="DATA_DIR=${join(home, 'data dir')}"\n`)
    expect(unit).toContain(`Environment=MODELMUX_CONFIG=${join(home, 'config.json')}\n`)
    expect(unit).toContain('Environment=REQUIRE_API_KEY=true\n')
    expect(unit).not.toContain('SECRET_THING')
    // The encryption key given by environment goes along (or the service could not read the stored keys); "%" is doubled for systemd.
    expect(unit).toContain('Environment=MODELMUX_ENCRYPTION_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n')
    expect(unit).toContain('Environment=HTTPS_PROXY=http://me:p%%40ss@proxy:3128\n')
    expect(unit).toContain('Restart=on-failure')
    expect(unit).toContain('WantedBy=default.target')
    expect(calls()).toEqual(['--user daemon-reload', '--user enable --now modelmux.service'])
    expect(lines.at(-1)).toBe('modelmux now runs in the background and starts at every login (http://127.0.0.1:20200).')

    const status: string[] = []
    expect(runService('status', runtime(), deps('linux', status))).toBe(0)
    expect(status[0]).toContain('runs /usr/local/bin/bun run /work/modelmux/src/main.ts')
    expect(runService('uninstall', runtime(), deps('linux', []))).toBe(0)
    expect(existsSync(join(home, '.config/systemd/user/modelmux.service'))).toBe(false)
    expect(calls().at(-1)).toBe('--user disable --now modelmux.service')
    expect(runService('status', runtime(), deps('linux', []))).toBe(1)
  })

  test('without a working service manager the file is still written and the commands to run are printed', () => {
    const lines: string[] = []
    expect(runService('install', runtime(), deps('linux', lines, join(home, 'empty')))).toBe(1)
    expect(lines.at(-1)).toBe('Could not start it (systemctl was not found); start it with: systemctl --user daemon-reload && systemctl --user enable --now modelmux.service')
    fakeManager('systemctl', 1)
    const failing: string[] = []
    expect(runService('install', runtime(), deps('linux', failing))).toBe(1)
    expect(failing.at(-1)).toContain('systemctl --user daemon-reload failed')
  })

  test('macOS: a launchd agent, kept alive, its arguments escaped, loaded with launchctl', () => {
    const calls = fakeManager('launchctl')
    const odd = { ...deps('darwin', []), execPath: '/Applications/model<mux>/bin & co/modelmux', entry: '/$bunfs/root/modelmux' }
    expect(runService('install', runtime(), odd)).toBe(0)
    const file = join(home, 'Library/LaunchAgents/dev.modelmux.plist')
    const plist = readFileSync(file, 'utf8')
    expect(plist).toContain('<string>/Applications/model&lt;mux&gt;/bin &amp; co/modelmux</string>')
    expect(plist).toContain('<key>PORT</key><string>20200</string>')
    expect(plist).toContain('<key>RunAtLoad</key><true/>')
    expect(calls()).toEqual([`load -w ${file}`])
  })

  test('the start command: the executable alone when compiled, Bun and the entry file from a checkout; other systems refused', () => {
    expect(startCommand('/usr/local/bin/modelmux', '/$bunfs/root/modelmux')).toEqual(['/usr/local/bin/modelmux'])
    expect(startCommand('C:\\modelmux.exe', 'B:\\~BUN\\root\\modelmux.exe')).toEqual(['C:\\modelmux.exe'])
    expect(startCommand('/usr/bin/bun', 'src/main.ts')).toEqual(['/usr/bin/bun', 'run', join(process.cwd(), 'src/main.ts')])
    expect(() => runService('install', runtime(), deps('win32', []))).toThrow('service: not supported on win32')
    expect(() => runService('restart', runtime(), deps('linux', []))).toThrow('use "modelmux service install", "uninstall" or "status"')
  })

  test.skipIf(process.platform !== 'linux' && process.platform !== 'darwin')('from the command line: status of a home without a service', async () => {
    const proc = Bun.spawn(['bun', 'run', 'src/main.ts', 'service', 'status'], { env: { ...process.env, HOME: home }, stdout: 'pipe', stderr: 'pipe' })
    const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()])
    expect([code, stdout.trim()]).toEqual([1, 'not installed'])
  })
})

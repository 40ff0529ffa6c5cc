import { describe, expect, test } from 'bun:test'
import { resolveEndpoint, overrideEnvName, withOrigin } from '../../src/oauth/endpoints'
import { buildAuthorizeUrl, parsePastedCode } from '../../src/oauth/flows'
import { OAuthError } from '../../src/oauth/http'
import { decodeJwtClaims } from '../../src/oauth/jwt'
import { codeChallengeOf, createCodeVerifier } from '../../src/oauth/pkce'
import { createQuotaStore } from '../../src/oauth/quota'
import { claudeCode } from '../../src/providers/subscription/claude-code'
import { codex } from '../../src/providers/subscription/codex'
import { fakeJwt } from './helpers/fake-provider'

describe('PKCE', () => {
  test('S256 challenge matches RFC 7636 appendix B', () => {
    expect(codeChallengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  })
  test('verifiers are 43 base64url characters and fresh each time', () => {
    const a = createCodeVerifier()
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(createCodeVerifier()).not.toBe(a)
  })
})

describe('parsePastedCode', () => {
  test.each([
    ['abc123', { code: 'abc123' }],
    ['abc123#st-1', { code: 'abc123', state: 'st-1' }],
    ['  http://localhost:1455/auth/callback?code=c-9&state=s-9  ', { code: 'c-9', state: 's-9' }],
    ['http://localhost/cb#code=frag&state=s', { code: 'frag', state: 's' }],
    ['?code=q&state=t', { code: 'q', state: 't' }],
  ])('%s', (input, expected) => {
    expect(parsePastedCode(input)).toEqual(expected)
  })
  test('an error redirect is a refused login', () => {
    expect(() => parsePastedCode('http://localhost:1455/auth/callback?error=access_denied&error_description=nope')).toThrow(OAuthError)
  })
  test('empty input and a URL without a code give nothing', () => {
    expect(parsePastedCode('   ')).toBeUndefined()
    expect(parsePastedCode('http://localhost:1/x?state=1')).toBeUndefined()
  })
})

describe('endpoint overrides', () => {
  const defaults = { token: 'https://auth.openai.com/oauth/token', api: 'https://chatgpt.com/backend-api/codex' }
  test('default without overrides', () => {
    expect(resolveEndpoint('codex', 'token', defaults, undefined, {})).toBe(defaults.token)
  })
  test('settings beat env, env beats origin, origin keeps the path', () => {
    const env = { [overrideEnvName('codex', 'token')]: 'http://127.0.0.1:2/env-token', MODELMUX_OAUTH_ORIGIN: 'http://127.0.0.1:3' }
    expect(resolveEndpoint('codex', 'token', defaults, { codex: { token: 'http://127.0.0.1:1/t' } }, env)).toBe('http://127.0.0.1:1/t')
    expect(resolveEndpoint('codex', 'token', defaults, undefined, env)).toBe('http://127.0.0.1:2/env-token')
    expect(resolveEndpoint('codex', 'api', defaults, undefined, env)).toBe('http://127.0.0.1:3/backend-api/codex')
    expect(resolveEndpoint('codex', 'api', defaults, { codex: { origin: 'http://127.0.0.1:4/prefix/' } }, env)).toBe('http://127.0.0.1:4/prefix/backend-api/codex')
  })
  test('env names are upper snake case', () => {
    expect(overrideEnvName('gemini-cli', 'loadCodeAssist')).toBe('MODELMUX_OAUTH_GEMINI_CLI_LOAD_CODE_ASSIST')
    expect(withOrigin('https://a.example/x?y=1', 'http://127.0.0.1:9')).toBe('http://127.0.0.1:9/x?y=1')
  })
})

describe('authorize URLs', () => {
  const runtime = { endpoint: (name: string) => (name === 'authorize' ? 'http://127.0.0.1:9/oauth/authorize' : '') }
  test('Codex: fixed redirect, PKCE and the Codex CLI parameters', () => {
    const url = new URL(buildAuthorizeUrl(codex, runtime, { redirectUri: 'http://localhost:1455/auth/callback', state: 'S', codeChallenge: 'C' }))
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      originator: 'codex_cli_rs',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      response_type: 'code',
      redirect_uri: 'http://localhost:1455/auth/callback',
      state: 'S',
      scope: 'openid profile email offline_access',
      code_challenge: 'C',
      code_challenge_method: 'S256',
    })
  })
  test('Claude: code=true and the inference scopes', () => {
    const url = new URL(buildAuthorizeUrl(claudeCode, runtime, { redirectUri: 'http://localhost:5/callback', state: 'S', codeChallenge: 'C' }))
    expect(url.searchParams.get('code')).toBe('true')
    expect(url.searchParams.get('scope')).toBe('org:create_api_key user:profile user:inference')
    expect(url.searchParams.get('client_id')).toBe('9d1c250a-e61b-44d9-88ed-5944d1962f5e')
  })
})

test('JWT claims are read without verification; junk gives undefined', () => {
  expect(decodeJwtClaims(fakeJwt({ email: 'a@b.c' }))).toEqual({ email: 'a@b.c' })
  expect(decodeJwtClaims('not-a-jwt')).toBeUndefined()
  expect(decodeJwtClaims('a.@@@.c')).toBeUndefined()
})

describe('quota check', () => {
  test('an exhausted window blocks until its reset; per-model windows only their models', () => {
    let time = 1_000
    const store = createQuotaStore(() => time)
    store.set({
      provider: 'antigravity',
      connectionId: 7,
      readAt: 0,
      windows: [
        { name: 'gemini-3-pro-high', remaining: 0, total: 1000, resetAt: 5_000, models: ['gemini-3-pro-high'] },
        { name: 'claude-sonnet-4-5', remaining: 500, total: 1000, resetAt: 5_000, models: ['claude-sonnet-4-5'] },
        { name: 'premium', remaining: 0, resetAt: 9_000, models: [] },
      ],
    })
    expect(store.check(7, 'gemini-3-pro-high')).toEqual({ kind: 'rate-limit', until: 5_000, reason: expect.stringContaining('gemini-3-pro-high') })
    expect(store.check(7, 'claude-sonnet-4-5')).toBeUndefined()
    expect(store.check(8, 'gemini-3-pro-high')).toBeUndefined()
    time = 5_000
    expect(store.check(7, 'gemini-3-pro-high')).toBeUndefined()
  })
  test('percent windows: 100% used blocks the whole account; unknown reset never blocks', () => {
    const store = createQuotaStore(() => 0)
    store.set({ provider: 'codex', connectionId: 1, readAt: 0, windows: [{ name: 'weekly', usedPercent: 100, resetAt: 10 }] })
    expect(store.check(1, 'gpt-5.3-codex')?.until).toBe(10)
    store.set({ provider: 'codex', connectionId: 1, readAt: 0, windows: [{ name: 'weekly', usedPercent: 100 }] })
    expect(store.check(1, 'gpt-5.3-codex')).toBeUndefined()
  })
})

import { expect, test } from 'bun:test'
import { getSubscriptionProvider } from '../../src/providers/subscription'
import { iflowSignature } from '../../src/providers/subscription/iflow'
import { fakeJwt } from './helpers/fake-provider'
import { concatBytes, kiroEvent } from './helpers/event-stream'
import { browserCallback, createHarness, START } from './helpers/harness'

const definition = (alias: string) => getSubscriptionProvider(alias)!.definition

test('GitHub Copilot: device flow (pending, slow_down, done), Copilot token exchange, its own API host, re-mint on expiry, revoked GitHub token', async () => {
  await using h = createHarness()
  h.fake.on('POST /login/device/code', (call) => {
    expect(call.fields).toEqual({ client_id: 'Iv1.b507a08c87ecfe98', scope: 'read:user' })
    return { device_code: 'dc-1', user_code: 'ABCD-1234', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 }
  })
  const polls = ['authorization_pending', 'slow_down', 'done']
  h.fake.on('POST /login/oauth/access_token', (call) => {
    expect(call.fields).toMatchObject({ device_code: 'dc-1', grant_type: 'urn:ietf:params:oauth:grant-type:device_code' })
    const next = polls.shift()
    return next === 'done' ? { access_token: 'gho_abc', token_type: 'bearer', scope: 'read:user' } : { error: next }
  })
  let minted = 0
  let revoked = false
  h.fake.on('GET /copilot_internal/v2/token', (call) => {
    if (revoked) return Response.json({ message: 'Bad credentials' }, { status: 401 })
    expect(call.headers.authorization).toBe('token gho_abc')
    minted++
    return { token: `tid=${minted};exp=1`, expires_at: Math.floor((START + minted * 30 * 60_000) / 1000), refresh_in: 1500, endpoints: { api: `${h.fake.url}/copilot-api` } }
  })
  h.fake.on('GET /user', () => ({ login: 'octo', id: 42, email: null }))

  const device = await h.service.beginDeviceLogin('gh')
  expect(device).toMatchObject({ userCode: 'ABCD-1234', verificationUri: 'https://github.com/login/device', interval: 5 })
  expect(device.codeVerifier).toBeUndefined()
  expect(await h.service.pollDeviceLogin('gh', { deviceCode: 'dc-1' })).toEqual({ pending: true })
  expect(await h.service.pollDeviceLogin('gh', { deviceCode: 'dc-1' })).toEqual({ pending: true, slowDown: true })
  const done = await h.service.pollDeviceLogin('gh', { deviceCode: 'dc-1' })
  if (done.pending) throw new Error('still pending')
  expect(done.connection.name).toBe('gh-octo')
  const tokens = h.service.tokensOf(h.connection(done.connection.id))!
  expect(tokens).toMatchObject({ accessToken: 'tid=1;exp=1', accountId: 'octo', expiresAt: START + 30 * 60_000, extra: { githubToken: 'gho_abc', apiBase: `${h.fake.url}/copilot-api` } })

  h.fake.on('POST /copilot-api/chat/completions', () => ({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] }))
  const send = async () => {
    const prepared = h.service.prepareCall(definition('gh'), h.connection(done.connection.id), { model: 'gpt-4.1', stream: false, body: { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] } })
    return prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
  }
  expect((await send()).status).toBe(200)
  const sent = h.fake.callsTo('/copilot-api/chat/completions')[0]
  expect(sent.headers).toMatchObject({ authorization: 'Bearer tid=1;exp=1', 'copilot-integration-id': 'vscode-chat', 'x-initiator': 'user', 'editor-version': expect.stringMatching(/^modelmux\//) })

  // The Copilot token expires in 30 minutes; within 5 minutes of that it is minted again from the GitHub token.
  h.clock.time = START + 26 * 60_000
  expect((await send()).status).toBe(200)
  expect(minted).toBe(2)
  expect(h.fake.callsTo('/copilot-api/chat/completions')[1].headers.authorization).toBe('Bearer tid=2;exp=1')

  // The GitHub token was revoked: minting answers 401 → needs re-login.
  revoked = true
  h.clock.time = START + 58 * 60_000
  const refused = await send()
  expect(refused.status).toBe(401)
  expect(h.relogins.map((r) => r.id)).toEqual([done.connection.id])

  // Quota snapshots: only the chat allowance can block the account.
  revoked = false
  h.fake.on('GET /copilot_internal/user', () => ({
    copilot_plan: 'individual',
    quota_reset_date: '2026-12-01',
    quota_snapshots: {
      chat: { entitlement: 0, remaining: 0, unlimited: true, percent_remaining: 100 },
      premium_interactions: { entitlement: 300, remaining: 0, unlimited: false, percent_remaining: 0 },
    },
  }))
  const quotaProvider = getSubscriptionProvider('gh')!
  const read = await quotaProvider.readQuota!(h.service.runtimeFor(quotaProvider), tokens, '')
  expect(read.plan).toBe('individual')
  expect(read.windows[1]).toEqual({ name: 'premium_interactions', unlimited: false, total: 300, remaining: 0, usedPercent: 100, resetAt: Date.parse('2026-12-01'), models: [] })
})

test('Qwen: device code with PKCE; resource_url becomes the API host', async () => {
  await using h = createHarness()
  h.fake.on('POST /api/v1/oauth2/device/code', (call) => {
    expect(call.fields).toMatchObject({ client_id: 'f0304373b74a44d2b584a3fb70ca9e56', code_challenge_method: 'S256', scope: 'openid profile email model.completion' })
    expect(call.fields.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
    return { device_code: 'q-dc', user_code: 'QW-1', verification_uri: 'https://chat.qwen.ai/authorize', verification_uri_complete: 'https://chat.qwen.ai/authorize?user_code=QW-1', expires_in: 600, interval: 2 }
  })
  h.fake.on('POST /api/v1/oauth2/token', (call) => {
    if (call.fields.grant_type === 'refresh_token') return { access_token: 'q-at-2', expires_in: 3600, resource_url: new URL(h.fake.url).host + '/q2' }
    expect(call.fields.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)
    return { access_token: 'q-at-1', refresh_token: 'q-rt', expires_in: 3600, resource_url: new URL(h.fake.url).host, id_token: fakeJwt({ sub: 'user-9', email: 'q@example.com' }) }
  })
  const device = await h.service.beginDeviceLogin('qw')
  expect(device.codeVerifier).toBeDefined()
  const done = await h.service.pollDeviceLogin('qwen-code', { deviceCode: device.deviceCode })
  if (done.pending) throw new Error('pending')
  expect(h.service.tokensOf(h.connection(done.connection.id))).toMatchObject({ accountId: 'user-9', email: 'q@example.com', extra: { resourceUrl: new URL(h.fake.url).host } })
  const call = h.service.prepareCall(definition('qw'), h.connection(done.connection.id), { model: 'qwen3-coder-plus', stream: true, body: { model: 'qwen3-coder-plus', messages: [] } })
  // resource_url is a bare host: https:// and /v1 are added (the test's origin override then points it at the fake).
  expect(getSubscriptionProvider('qw')!.apiBase!(h.service.tokensOf(h.connection(done.connection.id))!)).toBe(`https://${new URL(h.fake.url).host}/v1`)
  expect(call.url).toBe(`${h.fake.url}/v1/chat/completions`)
  h.clock.time = START + 45 * 60_000
  await h.service.runRefreshPass()
  expect(h.service.tokensOf(h.connection(done.connection.id))).toMatchObject({ accessToken: 'q-at-2', refreshToken: 'q-rt', extra: { resourceUrl: `${new URL(h.fake.url).host}/q2` } })
})

test('iFlow: authorize URL with `redirect`, Basic-auth code exchange, API key from user info, signed headers', async () => {
  await using h = createHarness()
  h.fake.on('POST /oauth/token', (call) => {
    expect(call.headers.authorization).toBe(`Basic ${Buffer.from('10009311001:4Z3YjXycVsQvyGF1etiNlIBB4RsqSDtW').toString('base64')}`)
    return { access_token: 'if-at', refresh_token: 'if-rt', expires_in: 172_800 }
  })
  h.fake.on('GET /api/oauth/getUserInfo', (call) => {
    expect(call.query.get('accessToken')).toBe('if-at')
    return { success: true, data: { apiKey: 'sk-iflow-1', email: 'ada@iflow.cn', userId: 'u-1' } }
  })
  const start = h.service.beginAuthorization('if', { redirectUri: 'http://localhost:11451/oauth2callback' })
  const url = new URL(start.authUrl)
  expect(url.pathname).toBe('/oauth')
  expect(Object.fromEntries(url.searchParams)).toEqual({ loginMethod: 'phone', type: 'phone', redirect: 'http://localhost:11451/oauth2callback', state: start.state, client_id: '10009311001' })
  const back = browserCallback(start.authUrl, 'if-code')
  const connection = await h.service.completeAuthorization('if', { code: back.code, state: back.state })
  expect(h.service.tokensOf(h.connection(connection.id))).toMatchObject({ email: 'ada@iflow.cn', accountId: 'u-1', extra: { apiKey: 'sk-iflow-1' } })
  h.fake.on('POST /v1/chat/completions', () => ({ choices: [] }))
  const prepared = h.service.prepareCall(definition('if'), h.connection(connection.id), { model: 'kimi-k2', stream: false, body: { model: 'kimi-k2', messages: [] } })
  await (await prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })).text()
  const sent = h.fake.callsTo('/v1/chat/completions')[0].headers
  expect(sent.authorization).toBe('Bearer sk-iflow-1')
  expect(sent['x-iflow-timestamp']).toBe(String(START))
  expect(sent['x-iflow-signature']).toBe(iflowSignature('sk-iflow-1', sent['user-agent'], sent['session-id'], START))
})

test('Kiro: AWS SSO OIDC device login, binary event-stream answer decoded to OpenAI Chat SSE, refresh through OIDC; refresh-token import', async () => {
  await using h = createHarness()
  h.fake.on('POST /client/register', (call) => {
    expect(call.fields).toMatchObject({ clientName: 'kiro-oauth-client', clientType: 'public' })
    return { clientId: 'cid', clientSecret: 'csecret', clientSecretExpiresAt: 9_999_999_999 }
  })
  h.fake.on('POST /device_authorization', (call) => {
    expect(call.fields).toEqual({ clientId: 'cid', clientSecret: 'csecret', startUrl: `${h.fake.url}/start` })
    return { deviceCode: 'k-dc', userCode: 'KIRO-1', verificationUri: 'https://device.sso.us-east-1.amazonaws.com/', verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=KIRO-1', expiresIn: 600, interval: 1 }
  })
  let pending = true
  h.fake.on('POST /token', (call) => {
    if (call.fields.grantType === 'refresh_token') return { accessToken: 'k-at-2', expiresIn: 3600 }
    if (pending) {
      pending = false
      return Response.json({ error: 'authorization_pending', error_description: 'waiting' }, { status: 400 })
    }
    return { accessToken: 'k-at-1', refreshToken: 'k-rt', expiresIn: 3600 }
  })
  const device = await h.service.beginDeviceLogin('kr')
  expect(device.extra).toEqual({ clientId: 'cid', clientSecret: 'csecret' })
  expect(await h.service.pollDeviceLogin('kr', { deviceCode: 'k-dc' })).toEqual({ pending: true })
  const done = await h.service.pollDeviceLogin('kr', { deviceCode: 'k-dc' })
  if (done.pending) throw new Error('pending')
  const id = done.connection.id

  h.fake.on('POST /generateAssistantResponse', () =>
    new Response(new Blob([concatBytes([kiroEvent('assistantResponseEvent', { content: 'Hello ' }), kiroEvent('assistantResponseEvent', { content: 'Kiro' }), kiroEvent('messageStopEvent', {})]) as Uint8Array<ArrayBuffer>]), {
      headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    }),
  )
  const prepared = h.service.prepareCall(definition('kr'), h.connection(id), { model: 'claude-sonnet-4.5', stream: false, body: { model: 'claude-sonnet-4.5', messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'hi' }] } })
  expect(prepared.stream).toBe(true)
  const response = await prepared.fetch(prepared.url, { method: 'POST', headers: prepared.headers, body: JSON.stringify(prepared.body) })
  expect(response.headers.get('content-type')).toBe('text/event-stream')
  const text = await response.text()
  const content = text
    .split('\n\n')
    .filter((block) => block.startsWith('data: {'))
    .map((block) => JSON.parse(block.slice(6)).choices?.[0]?.delta?.content ?? '')
    .join('')
  expect(content).toBe('Hello Kiro')
  const sent = h.fake.callsTo('/generateAssistantResponse')[0]
  expect(sent.headers).toMatchObject({ authorization: 'Bearer k-at-1', 'x-amz-target': 'AmazonCodeWhispererStreamingService.GenerateAssistantResponse' })
  expect(JSON.parse(sent.body).conversationState.currentMessage.userInputMessage).toEqual({ content: 'Be brief\n\nhi', modelId: 'claude-sonnet-4.5', origin: 'AI_EDITOR' })

  h.clock.time = START + 57 * 60_000
  expect((await h.service.runRefreshPass()).refreshed).toEqual([id])
  expect(h.fake.callsTo('/token').at(-1)!.fields).toEqual({ clientId: 'cid', clientSecret: 'csecret', refreshToken: 'k-rt', grantType: 'refresh_token' })
  expect(h.service.tokensOf(h.connection(id))).toMatchObject({ accessToken: 'k-at-2', refreshToken: 'k-rt' })

  // A pasted Kiro refresh token (social login) is exchanged through the Kiro auth service.
  h.fake.on('POST /refreshToken', (call) => {
    expect(call.fields).toEqual({ refreshToken: 'aorAAAAAGexample' })
    return { accessToken: 's-at', refreshToken: 's-rt', expiresIn: 3600, profileArn: 'arn:aws:codewhisperer:us-east-1:1:profile/P' }
  })
  const imported = await h.service.importRefreshToken('kiro', { refreshToken: 'aorAAAAAGexample' })
  expect(h.service.tokensOf(h.connection(imported.id))).toMatchObject({ accessToken: 's-at', accountId: 'arn:aws:codewhisperer:us-east-1:1:profile/P', extra: { authMethod: 'social' } })
  const withArn = h.service.prepareCall(definition('kr'), h.connection(imported.id), { model: 'claude-sonnet-4.5', stream: true, body: { model: 'claude-sonnet-4.5', messages: [{ role: 'user', content: 'x' }] } })
  expect(withArn.body.profileArn).toBe('arn:aws:codewhisperer:us-east-1:1:profile/P')
})

/**
 * failoverbench's sixteen scenarios run against modelmux and scored by its rules (methodology v0.1): a
 * primary model that misbehaves on the wall, one fallback model, the baseline budget of a 30 s request /
 * stream-idle timeout. Times are failoverbench's divided by 20 (its seconds are 50 ms here), except S01's
 * Retry-After, which is whole seconds on the wire.
 * @see https://github.com/failoverbench/failoverbench (scenarios/catalogue.yaml, failoverbench/report.py)
 */
import { afterAll, expect, test } from 'bun:test'
import { CANONICAL_ANSWER, PROMPT, startWall, type WallLogEntry } from '../helpers/failover-wall'
import { startTestServer } from '../helpers/test-server'

const S = 50 // one failoverbench second, in ms here
const wall = startWall({ retryAfterS: 2, slowTtftMs: 20 * S, stallMs: 30 * S, noResponseMs: 120 * S, flapDownMs: 60 * S, tokenIntervalMs: 1 })
afterAll(() => wall.stop())

// modelmux's own defaults, scaled the same way (connect 15 s, circuit 15 s → 20 s for answered failures, 5 min for timeouts),
// with the baseline's 30 s first-byte limit and a 20 s stream-idle limit.
const settings = { timeouts: { connectMs: 15 * S, firstByteMs: 30 * S, idleMs: 20 * S, totalMs: 30 * S } }
const health = { breakerThreshold: 3, breakerBaseMs: 15 * S, breakerFastMaxMs: 20 * S, breakerMaxMs: 300 * S, backoffBaseMs: 5 * S, backoffMaxMs: 600 * S }

type Outcome = 'success' | 'error' | 'hang'
interface CallResult {
  outcome: Outcome
  elapsedMs: number
  content: string
  model?: string
  usage: boolean
}
type Verdict = 'pass' | 'partial' | 'safe' | 'fail'

/** One streamed call as failoverbench's client makes it: invalid JSON events skipped, an `error` key is an in-band error. */
async function call(url: string, model: string, limitMs: number): Promise<CallResult> {
  const started = performance.now()
  const elapsed = () => performance.now() - started
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: PROMPT }], stream: true, stream_options: { include_usage: true } }),
      signal: AbortSignal.timeout(limitMs + S),
    })
    const text = await response.text()
    if (response.status !== 200) return { outcome: 'error', elapsedMs: elapsed(), content: '', usage: false }
    let content = ''
    let reported: string | undefined
    let usage = false
    let inBandError = false
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue
      let event: Record<string, any>
      try {
        event = JSON.parse(line.slice(6))
      } catch {
        continue
      }
      if (event.error) inBandError = true
      content += event.choices?.[0]?.delta?.content ?? ''
      if (event.model) reported = event.model
      if (event.usage) usage = true
    }
    return { outcome: inBandError ? 'error' : 'success', elapsedMs: elapsed(), content, model: reported, usage }
  } catch (error) {
    return { outcome: (error as Error).name === 'TimeoutError' ? 'hang' : 'error', elapsedMs: elapsed(), content: '', usage: false }
  }
}

const complete = (result: CallResult) => result.content.replace(/\s+/g, ' ').trim() === CANONICAL_ANSWER

interface Check {
  name: string
  advisory?: boolean
  passes: (result: CallResult, primary: WallLogEntry[], fallback: WallLogEntry[]) => boolean
}
interface Scenario {
  id: string
  primary: string
  fallback?: string
  limitMs: number
  ideal?: 'success' | 'error'
  checks: Check[]
  alive?: boolean
}

const attemptsWithin = (log: WallLogEntry[], windowMs: number) => log.filter((entry) => entry.atMs - log[0].atMs < windowMs).length
const noTruncatedSuccess: Check = { name: 'no_truncated_success', passes: (result) => result.outcome !== 'success' || complete(result) }

const scenarios: Scenario[] = [
  {
    id: 'S01',
    primary: 'fb-s01-429-retry-after',
    limitMs: 20_000,
    checks: [
      { name: 'retried', advisory: true, passes: (_r, primary) => primary.length >= 2 },
      { name: 'retry_after_honoured', advisory: true, passes: (_r, primary) => primary.length >= 2 && primary[1].atMs - primary[0].atMs >= 1800 },
      { name: 'no_hammer', passes: (_r, primary) => attemptsWithin(primary, 1500) <= 2 },
    ],
  },
  { id: 'S02', primary: 'fb-s02-429-persistent', limitMs: 40 * S, checks: [{ name: 'no_hammer', passes: (_r, p) => attemptsWithin(p, 3 * S) <= 4 }, { name: 'bounded_attempts', passes: (_r, p) => p.length <= 6 }] },
  { id: 'S03', primary: 'fb-s03-500-then-200', limitMs: 20 * S, checks: [{ name: 'same_provider_retry', advisory: true, passes: (_r, p) => p.length >= 2 }] },
  { id: 'S04', primary: 'fb-s04-503-persistent', limitMs: 40 * S, checks: [{ name: 'bounded_attempts', passes: (_r, p) => p.length <= 6 }] },
  { id: 'S05', primary: 'fb-s05-reset', limitMs: 20 * S, checks: [] },
  {
    id: 'S06',
    primary: 'fb-s06-no-response',
    limitMs: 130 * S,
    checks: [
      { name: 'within_budget', passes: (r) => r.outcome !== 'hang' && r.elapsedMs <= 100 * S },
      { name: 'silent_route_not_retried', advisory: true, passes: (_r, p) => p.length <= 1 },
    ],
  },
  { id: 'S07', primary: 'fb-s07-slow-ttft', limitMs: 60 * S, checks: [{ name: 'ttft_limit', advisory: true, passes: (r) => r.elapsedMs <= 15 * S }] },
  { id: 'S08', primary: 'fb-s08-stream-cut', limitMs: 40 * S, checks: [noTruncatedSuccess] },
  { id: 'S09', primary: 'fb-s09-stream-stall', limitMs: 70 * S, alive: true, checks: [{ name: 'bounded', passes: (r) => r.elapsedMs <= 45 * S }, noTruncatedSuccess] },
  { id: 'S10', primary: 'fb-s10-malformed-chunk', limitMs: 30 * S, alive: true, checks: [noTruncatedSuccess, { name: 'recovered_in_place', advisory: true, passes: complete }] },
  { id: 'S11', primary: 'fb-s11-no-done', limitMs: 30 * S, checks: [{ name: 'prompt_finalise', passes: (r) => r.elapsedMs <= 8 * S }, { name: 'usage_reported', advisory: true, passes: (r) => r.usage }] },
  {
    id: 'S12',
    primary: 'fb-s12-context-length',
    limitMs: 20 * S,
    checks: [
      { name: 'no_blind_retry', passes: (_r, p) => p.every((entry, index) => index === 0 || entry.promptTokens < p[index - 1].promptTokens) },
      { name: 'bounded_attempts', passes: (_r, p) => p.length <= 2 },
    ],
  },
  { id: 'S13', primary: 'fb-s13-content-filter', limitMs: 20 * S, ideal: 'error', checks: [{ name: 'no_same_model_retry', passes: (_r, p) => p.length === 1 }] },
  {
    id: 'S14',
    primary: 'fb-s14-stream-cut',
    fallback: 'fb-ok-noprefill',
    limitMs: 40 * S,
    checks: [{ name: 'no_prefill_masking', passes: (r, _p, f) => r.outcome !== 'error' || !f.some((entry) => entry.action.startsWith('400 prefill')) }, noTruncatedSuccess],
  },
  {
    id: 'S16',
    primary: 'fb-s16-503-persistent',
    limitMs: 40 * S,
    checks: [
      { name: 'reports_fallback_model', passes: (r, _p, f) => f.length === 0 || (r.model ?? '').split('/').pop()!.toLowerCase().includes('fb-ok') },
      { name: 'usage_present', advisory: true, passes: (r) => r.usage },
      { name: 'bounded_attempts', passes: (_r, p) => p.length <= 6 },
    ],
  },
]

/** failoverbench's verdict: a hang or a truncated success fails; a failed required check fails; else pass, partial or safe. */
function verdict(scenario: Scenario, result: CallResult, failed: Check[]): Verdict {
  const ideal = scenario.ideal ?? 'success'
  if (result.outcome === 'hang') return 'fail'
  if (result.outcome === 'success' && ideal === 'success' && !complete(result)) return 'fail'
  if (failed.some((check) => !check.advisory)) return 'fail'
  if (ideal === 'error') return result.outcome === 'success' ? 'partial' : failed.length > 0 ? 'partial' : 'pass'
  if (result.outcome === 'success') return failed.length > 0 ? 'partial' : 'pass'
  return 'safe'
}

/** A fresh modelmux whose combo `route` tries the primary on one connection, then the fallback on another (same wall). */
async function router(primary: string, fallback: string) {
  return startTestServer(
    {
      connections: [
        { name: 'wall', provider: 'openai-compatible', prefix: 'w', baseUrl: wall.url, apiKey: 'k1' },
        { name: 'wall-fallback', provider: 'openai-compatible', prefix: 'f', baseUrl: wall.url, apiKey: 'k2' },
      ],
      combos: [{ name: 'route', models: [`w/${primary}`, `f/${fallback}`] }],
      settings,
    },
    {},
    { health },
  )
}

// What modelmux scores; a change here is a change in how it behaves under failure, and must be deliberate.
const expected: Record<string, Verdict> = {
  S07: 'partial', // waits for a slow first token within its first-byte limit rather than cutting it at 15 s
}

for (const scenario of scenarios) {
  test(`${scenario.id} ${scenario.primary}: ${expected[scenario.id] ?? 'pass'}`, async () => {
    const fallback = scenario.fallback ?? 'fb-ok'
    await using modelmux = await router(scenario.primary, fallback)
    wall.reset()
    const result = await call(modelmux.url, 'route', scenario.limitMs)
    const primary = wall.log.filter((entry) => entry.model === scenario.primary)
    const fallbackLog = wall.log.filter((entry) => entry.model === fallback)
    const failed = scenario.checks.filter((check) => !check.passes(result, primary, fallbackLog))
    if (scenario.alive) {
      const alive = await fetch(`${modelmux.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'f/fb-ok', messages: [{ role: 'user', content: PROMPT }] }), signal: AbortSignal.timeout(10 * S) })
      if (alive.status !== 200 || (await alive.json()).choices[0].message.content !== CANONICAL_ANSWER) failed.push({ name: 'alive_after', passes: () => false })
    }
    const detail = { outcome: result.outcome, elapsedMs: Math.round(result.elapsedMs), primary: primary.map((entry) => entry.action), fallback: fallbackLog.map((entry) => entry.action), failed: failed.map((check) => check.name) }
    expect({ verdict: verdict(scenario, result, failed), ...detail }).toEqual({ verdict: expected[scenario.id] ?? 'pass', ...detail })
  })
}

test('S15 fb-s15-flap: pass (served from the fallback while the primary is down, back on it soon after it recovers)', async () => {
  await using modelmux = await router('fb-s15-flap', 'fb-ok')
  wall.reset()
  const downMs = 60 * S
  const results: { sentAt: number; result: CallResult }[] = []
  const started = performance.now()
  for (let index = 0; index < 20; index++) {
    const wait = started + index * 4 * S - performance.now()
    if (wait > 0) await Bun.sleep(wait)
    const sentAt = performance.now() - started
    results.push({ sentAt, result: await call(modelmux.url, 'route', 30 * S) })
  }
  const primary = wall.log.filter((entry) => entry.model === 'fb-s15-flap')
  const backOnPrimary = primary.find((entry) => entry.action.startsWith('200'))
  expect(results.filter(({ result }) => result.outcome === 'hang')).toEqual([])
  const duringOutage = results.filter(({ sentAt }) => sentAt < downMs)
  expect(duringOutage.length).toBeGreaterThan(0)
  expect(duringOutage.filter(({ result }) => result.outcome !== 'success' || !complete(result))).toEqual([])
  expect(backOnPrimary).toBeDefined()
  expect(backOnPrimary!.atMs - downMs).toBeLessThanOrEqual(30 * S)
  expect(results.every(({ result }) => complete(result))).toBe(true)
})

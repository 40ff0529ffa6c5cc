/**
 * Measures one scenario at one concurrency against every target (direct, modelmux and optionally the
 * bare reference proxy) in alternating slices, so drift in machine load hits every target alike.
 * @module
 */
import { driveLoad, summarizeLoad, type LoadOptions, type Tally } from './load'
import { ownCpuMs, readCpuMs, RssSampler, type Child } from './processes'
import { clientFormat, endMarker, isStream, replyFor, upstreamPath, type Scenario } from './scenarios'
import type { RunRow, Target } from './targets'

/** The running processes a scenario can be sent to. */
export interface Servers {
  fake: Child
  modelmux: Child
  bare?: Child
}

/** Slice timing: measured time per target (split into `rounds`) and the unmeasured warm-up before it. */
export interface SliceSettings {
  durationMs: number
  warmupMs: number
  rounds: number
}

/** The targets measured in this run, in slice order. */
export function targetsOf(servers: Servers): Target[] {
  return servers.bare ? ['direct', 'modelmux', 'bare-proxy'] : ['direct', 'modelmux']
}

/** The process that answers the load generator for a target. */
function answering(servers: Servers, target: Target): Child {
  if (target === 'direct') return servers.fake
  if (target === 'modelmux') return servers.modelmux
  if (!servers.bare) throw new Error('bare proxy not started')
  return servers.bare
}

/** The request a scenario sends to a target. */
export function requestFor(scenario: Scenario, target: Target, servers: Servers, concurrency: number): LoadOptions {
  const reply = replyFor(scenario)
  const upstreamRoute = `/r/${reply.id}/v1${upstreamPath(reply.format)}`
  const url = target === 'modelmux' ? `${servers.modelmux.url}${scenario.clientPath}` : `${answering(servers, target).url}${upstreamRoute}`
  const body = JSON.stringify({ ...scenario.body, model: `${reply.id}/bench-model` })
  const headers = { 'content-type': 'application/json', ...scenario.headers }
  // Only modelmux answers in the client's own format; the others relay the upstream's.
  const format = target === 'modelmux' ? clientFormat(scenario) : reply.format
  return { url, body, headers, concurrency, endMarker: endMarker(format, isStream(scenario)) }
}

/** Runs the slices for one scenario × concurrency; returns one row per target. */
export async function measureScenario(settings: SliceSettings, servers: Servers, scenario: Scenario, concurrency: number): Promise<RunRow[]> {
  const targets = targetsOf(servers)
  const warm = new Map<Target, Tally>()
  for (const target of targets) warm.set(target, await driveLoad(requestFor(scenario, target, servers, concurrency), settings.warmupMs))
  const slices = new Map<Target, Tally[]>(targets.map((target) => [target, []]))
  const serverCpuMs = new Map<Target, number>(targets.map((target) => [target, 0]))
  const clientCpuMs = new Map<Target, number>(targets.map((target) => [target, 0]))
  const sampler = new RssSampler(servers.modelmux.pid, 50)
  for (let round = 0; round < settings.rounds; round++) {
    for (const target of targets) {
      const pid = answering(servers, target).pid
      if (target === 'modelmux') sampler.start()
      const [serverBefore, clientBefore] = [readCpuMs(pid), ownCpuMs()]
      slices.get(target)!.push(await driveLoad(requestFor(scenario, target, servers, concurrency), settings.durationMs / settings.rounds))
      serverCpuMs.set(target, serverCpuMs.get(target)! + readCpuMs(pid) - serverBefore)
      clientCpuMs.set(target, clientCpuMs.get(target)! + ownCpuMs() - clientBefore)
      if (target === 'modelmux') sampler.stop()
    }
  }
  return targets.map((target) => ({
    scenario: scenario.name,
    stream: isStream(scenario),
    target,
    concurrency,
    result: summarizeLoad(slices.get(target)!, [warm.get(target)!]),
    serverCpuMs: serverCpuMs.get(target)!,
    clientCpuMs: clientCpuMs.get(target)!,
    peakRssMb: target === 'modelmux' ? sampler.peakMb : undefined,
    peakAnonMb: target === 'modelmux' ? sampler.peakAnonMb : undefined,
    rssSamples: target === 'modelmux' ? sampler.samples : undefined,
  }))
}

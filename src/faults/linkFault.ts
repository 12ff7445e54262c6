/**
 * `latency({ service, ms, jitter })`, `loss({ service, percent })` and `bandwidth({ service, kbps })`
 * set a link fault on a service's links, ended by `clearLinkFaults({ service })` or `heal`.
 * - runtimes with link faults (`runtime.setLinkFault`): docker's `tc netem` (or nftables for loss).
 * - otherwise latency and loss fall back to the rollup node's gossip path (`devnet_setLinkFault`, lite
 *   only); bandwidth has no such fallback.
 */
import { DevnetError } from '../errors.js'
import type { LinkFault } from '../runtime/types.js'
import { int } from '../topology/reader.js'
import { member, number, type Names } from './checks.js'
import { call, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { clearLinkFault } from './heal.js'

export interface LatencyParameters {
  service: string
  ms: number
  /** @default 0 */
  jitter?: number
}
export interface LossParameters {
  service: string
  percent: number
}
export interface BandwidthParameters {
  service: string
  kbps: number
}

const service = (names: Names) => ({ service: { check: member('service', names.services), doc: 'the service whose links are affected' } })
const target = ({ service }: { service: string }) => [service]

async function setLinkFault(ctx: FaultContext, name: string, service: string, fault: LinkFault): Promise<{ via: string }> {
  const { devnet } = ctx
  devnet.service(service)
  const rollup = devnet.endpoints[service]?.rollup
  let via = 'runtime'
  try {
    if (!devnet.runtime.setLinkFault) throw new DevnetError('the runtime has no network-level link faults', { code: 'DEVNET_RUNTIME_UNAVAILABLE' })
    const applied = await devnet.runtime.setLinkFault(service, fault)
    if (typeof applied === 'string') via = applied // the mechanism the runtime used, e.g. netem or nftables
  } catch (err) {
    if (!(err instanceof DevnetError && err.code === 'DEVNET_RUNTIME_UNAVAILABLE')) throw err
    // No network-level link faults here: a rollup node's gossip path takes latency and loss instead,
    // through the lite node's admin hook.
    if (!rollup || fault.bandwidthKbps !== undefined) {
      const what = fault.bandwidthKbps !== undefined ? 'bandwidth needs them' : `only rollup nodes take ${name}, not "${service}"`
      throw new DevnetError(`${name}: the runtime has no network-level link faults, and ${what}`, { code: 'DEVNET_USAGE', cause: err })
    }
    await call(rollup, 'devnet_setLinkFault', [fault])
    via = 'gossip path'
  }
  if (!ctx.state.linkFaults.includes(service)) ctx.state.linkFaults.push(service)
  return { via }
}

const linkWindow = { lasts: 'window', endedBy: ['clearLinkFaults', 'heal'], targets: target, details: (r: { via: string }) => r } as const

export const latencyFault: FaultDefinition<LatencyParameters, { via: string }> = {
  summary: "delay a service's links by ms ± jitter; ended by clearLinkFaults or heal",
  ...linkWindow,
  args: (names) => ({
    ...service(names),
    ms: { check: int(1), doc: 'delay, ms' },
    jitter: { check: int(0), default: 0, doc: 'jitter, ms' },
  }),
  act: (ctx, { service, ms, jitter = 0 }) => setLinkFault(ctx, 'latency', service, { delayMs: ms, jitterMs: jitter }),
}

export const lossFault: FaultDefinition<LossParameters, { via: string }> = {
  summary: "drop percent of a service's packets; ended by clearLinkFaults or heal",
  ...linkWindow,
  args: (names) => ({ ...service(names), percent: { check: number(0, 100), doc: 'share of packets dropped, 0-100' } }),
  act: (ctx, { service, percent }) => setLinkFault(ctx, 'loss', service, { lossPercent: percent }),
}

export const bandwidthFault: FaultDefinition<BandwidthParameters, { via: string }> = {
  summary: "limit a service's links to kbps kilobits per second; ended by clearLinkFaults or heal",
  ...linkWindow,
  args: (names) => ({ ...service(names), kbps: { check: int(1), doc: 'bandwidth, kbit/s' } }),
  act: (ctx, { service, kbps }) => setLinkFault(ctx, 'bandwidth', service, { bandwidthKbps: kbps }),
}

export const clearLinkFaultsFault: FaultDefinition<{ service: string }> = {
  summary: 'remove the link faults of a service; ends latency, loss and bandwidth',
  lasts: 'recovery',
  args: service,
  targets: target,
  act: (ctx, { service }) => clearLinkFault(ctx, service),
}

export const latency = (ctx: FaultContext, args: LatencyParameters) => runFault(ctx, 'latency', latencyFault, args)
export const loss = (ctx: FaultContext, args: LossParameters) => runFault(ctx, 'loss', lossFault, args)
export const bandwidth = (ctx: FaultContext, args: BandwidthParameters) => runFault(ctx, 'bandwidth', bandwidthFault, args)
export const clearLinkFaults = (ctx: FaultContext, args: { service: string }) => runFault(ctx, 'clearLinkFaults', clearLinkFaultsFault, args)

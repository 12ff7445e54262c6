/**
 * `latency({ service, ms, jitter })`, `loss({ service, percent })` and `bandwidth({ service, kbps })`
 * set a link fault on a service's links, ended by `clearLinkFaults({ service })` or `heal`.
 * They shape what the service sends on all its links. The runtime picks the mechanism and the event
 * records it (`via`): docker `netem` (or `nftables` for loss alone), or the link proxies (`proxy`) on the
 * process runtime and on docker without sch_netem. Delay, jitter and bandwidth are chain time: on a devnet
 * clock at speed N the runtime sets delays N times shorter and bandwidth N times higher on the wall.
 */
import type { LinkFault } from '../runtime/types.js'
import { int } from '../topology/reader.js'
import { member, number, type Names } from './checks.js'
import type { FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { between, chaosServices, pick } from './draw.js'
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

/** A link fault in chain time as the runtime sets it on the wall at `speed`. */
export function onTheWall(fault: LinkFault, speed: number): LinkFault {
  if (speed === 1) return fault
  return {
    ...fault,
    ...(fault.delayMs === undefined ? {} : { delayMs: Math.max(1, Math.round(fault.delayMs / speed)) }),
    ...(fault.jitterMs === undefined ? {} : { jitterMs: Math.round(fault.jitterMs / speed) }),
    ...(fault.bandwidthKbps === undefined ? {} : { bandwidthKbps: Math.round(fault.bandwidthKbps * speed) }),
  }
}

async function setLinkFault(ctx: FaultContext, service: string, fault: LinkFault): Promise<{ via: string; detail: string }> {
  const { devnet } = ctx
  devnet.service(service)
  const { via, detail } = await devnet.runtime.setLinkFault(service, onTheWall(fault, devnet.clock?.speed ?? 1))
  if (!ctx.state.linkFaults.includes(service)) ctx.state.linkFaults.push(service)
  return { via, detail }
}

const linkWindow = { lasts: 'window', endedBy: ['clearLinkFaults', 'heal'], targets: target, details: (r: { via: string; detail: string }) => r } as const

export const latencyFault: FaultDefinition<LatencyParameters, { via: string; detail: string }> = {
  summary: "delay a service's links by ms ± jitter; ended by clearLinkFaults or heal",
  ...linkWindow,
  args: (names) => ({
    ...service(names),
    ms: { check: int(1), doc: 'delay, ms' },
    jitter: { check: int(0), default: 0, doc: 'jitter, ms' },
  }),
  act: (ctx, { service, ms, jitter = 0 }) => setLinkFault(ctx, service, { delayMs: ms, jitterMs: jitter }),
  chaos: { draw: (random, names) => ({ service: pick(random, chaosServices(names)), ms: between(random, 20, 500), jitter: between(random, 0, 50) }) },
}

export const lossFault: FaultDefinition<LossParameters, { via: string; detail: string }> = {
  summary: "drop percent of a service's packets; ended by clearLinkFaults or heal",
  ...linkWindow,
  args: (names) => ({ ...service(names), percent: { check: number(0, 100), doc: 'share of packets dropped, 0-100' } }),
  act: (ctx, { service, percent }) => setLinkFault(ctx, service, { lossPercent: percent }),
  chaos: { draw: (random, names) => ({ service: pick(random, chaosServices(names)), percent: between(random, 1, 30) }) },
}

export const bandwidthFault: FaultDefinition<BandwidthParameters, { via: string; detail: string }> = {
  summary: "limit a service's links to kbps kilobits per second; ended by clearLinkFaults or heal",
  ...linkWindow,
  args: (names) => ({ ...service(names), kbps: { check: int(1), doc: 'bandwidth, kbit/s' } }),
  act: (ctx, { service, kbps }) => setLinkFault(ctx, service, { bandwidthKbps: kbps }),
  chaos: { draw: (random, names) => ({ service: pick(random, chaosServices(names)), kbps: between(random, 256, 8192) }) },
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

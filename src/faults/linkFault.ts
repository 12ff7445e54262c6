/**
 * `latency(service, { ms, jitter })`, `loss(service, { percent })`, `bandwidth(service, { kbps })` and
 * `clearLinkFaults(service)`: shape what a service sends on all its links. The runtime picks the
 * mechanism and the event records it (`via`): docker `netem` (or `nftables` for loss alone without
 * sch_netem), the process runtime its link proxies (`proxy`).
 */
import type { LinkFault } from '../runtime/types.js'
import type { FaultContext } from './context.js'
import { clearLinkFault } from './heal.js'

async function setLinkFault(ctx: FaultContext, service: string, fault: LinkFault, name: string): Promise<void> {
  const { devnet } = ctx
  devnet.service(service)
  const { via, detail } = await devnet.runtime.setLinkFault(service, fault)
  ctx.state.linkFaults.add(service)
  ctx.record({ kind: 'fault-start', name, targets: [service], details: { ...fault, via, detail } })
}

export function latency(ctx: FaultContext, { service, ms, jitter = 0 }: { service: string; ms: number; jitter?: number }): Promise<void> {
  return setLinkFault(ctx, service, { delayMs: ms, jitterMs: jitter }, 'latency')
}

export function loss(ctx: FaultContext, { service, percent }: { service: string; percent: number }): Promise<void> {
  return setLinkFault(ctx, service, { lossPercent: percent }, 'loss')
}

/** Caps what `service` sends at `kbps` kbit/s (netem `rate` on docker, a token bucket in the link proxies). */
export function bandwidth(ctx: FaultContext, { service, kbps }: { service: string; kbps: number }): Promise<void> {
  return setLinkFault(ctx, service, { bandwidthKbps: kbps }, 'bandwidth')
}

export async function clearLinkFaults(ctx: FaultContext, { service }: { service: string }): Promise<void> {
  await clearLinkFault(ctx, service)
  ctx.record({ kind: 'fault-end', name: 'clearLinkFaults', targets: [service] })
}

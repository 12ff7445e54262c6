/**
 * `latency(service, { ms, jitter })`, `loss(service, { percent })` and `clearLinkFaults(service)`.
 * - docker: `tc netem` in the container's network namespace (the runtime does it).
 * - process: delay / drop on the rollup node's gossip path (`devnet_setLinkFault`, lite only).
 */
import { DevnetError } from '../errors.js'
import { call, type FaultContext } from './context.js'
import { clearLinkFault } from './heal.js'

interface LinkFault {
  delayMs?: number
  jitterMs?: number
  lossPercent?: number
}

async function setLinkFault(ctx: FaultContext, service: string, fault: LinkFault, name: string): Promise<void> {
  const { devnet } = ctx
  devnet.service(service)
  if (devnet.runtime.setLinkFault) await devnet.runtime.setLinkFault(service, fault)
  else {
    const rollup = devnet.endpoints[service]?.rollup
    if (!rollup) throw new DevnetError(`${name}: on the process runtime only rollup nodes take link faults, not "${service}"`, { code: 'DEVNET_USAGE' })
    await call(rollup, 'devnet_setLinkFault', [fault])
  }
  ctx.state.linkFaults.add(service)
  ctx.record({ kind: 'fault-start', name, targets: [service], details: { ...fault } })
}

export function latency(ctx: FaultContext, { service, ms, jitter = 0 }: { service: string; ms: number; jitter?: number }): Promise<void> {
  return setLinkFault(ctx, service, { delayMs: ms, jitterMs: jitter }, 'latency')
}

export function loss(ctx: FaultContext, { service, percent }: { service: string; percent: number }): Promise<void> {
  return setLinkFault(ctx, service, { lossPercent: percent }, 'loss')
}

export async function clearLinkFaults(ctx: FaultContext, { service }: { service: string }): Promise<void> {
  await clearLinkFault(ctx, service)
  ctx.record({ kind: 'fault-end', name: 'clearLinkFaults', targets: [service] })
}

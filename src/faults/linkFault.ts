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
  const rollup = devnet.endpoints[service]?.rollup
  let via = 'runtime'
  try {
    if (!devnet.runtime.setLinkFault) throw new DevnetError('the runtime has no network-level link faults', { code: 'DEVNET_RUNTIME_UNAVAILABLE' })
    await devnet.runtime.setLinkFault(service, fault)
  } catch (err) {
    // No tc netem here (process runtime, or a kernel without sch_netem): a rollup node's gossip path
    // takes the fault instead, through the lite node's admin hook.
    if (!(err instanceof DevnetError && err.code === 'DEVNET_RUNTIME_UNAVAILABLE') || !rollup) {
      if (!rollup && err instanceof DevnetError && err.code === 'DEVNET_RUNTIME_UNAVAILABLE') {
        throw new DevnetError(`${name}: without network-level link faults only rollup nodes take them, not "${service}"`, { code: 'DEVNET_USAGE', cause: err })
      }
      throw err
    }
    await call(rollup, 'devnet_setLinkFault', [fault])
    via = 'gossip path'
  }
  ctx.state.linkFaults.add(service)
  ctx.record({ kind: 'fault-start', name, targets: [service], details: { ...fault, via } })
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

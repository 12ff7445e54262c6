/**
 * Lifecycle faults of any service, through the runtime: `crash` (SIGKILL / docker kill), `stop`
 * (graceful), `start` and `restart` (same plan and ports; a rollup node comes back with a fresh
 * engine and syncs from L1 and gossip), `pause` and `resume` (SIGSTOP/SIGCONT, docker pause).
 */
import type { FaultContext } from './context.js'

export interface ServiceFaultParameters {
  service: string
}

export async function crash(ctx: FaultContext, { service }: ServiceFaultParameters): Promise<void> {
  await ctx.devnet.service(service).kill('SIGKILL')
  ctx.record({ kind: 'fault-start', name: 'crash', targets: [service] })
}

export async function stop(ctx: FaultContext, { service }: ServiceFaultParameters): Promise<void> {
  await ctx.devnet.service(service).stop()
  ctx.record({ kind: 'fault-start', name: 'stop', targets: [service] })
}

export async function start(ctx: FaultContext, { service }: ServiceFaultParameters): Promise<void> {
  await ctx.devnet.service(service).restart()
  ctx.record({ kind: 'fault-end', name: 'start', targets: [service] })
}

export async function restart(ctx: FaultContext, { service }: ServiceFaultParameters): Promise<void> {
  ctx.record({ kind: 'fault-start', name: 'restart', targets: [service] })
  await ctx.devnet.service(service).restart()
  ctx.record({ kind: 'fault-end', name: 'restart', targets: [service] })
}

export async function pause(ctx: FaultContext, { service }: ServiceFaultParameters): Promise<void> {
  await ctx.devnet.service(service).pause()
  ctx.record({ kind: 'fault-start', name: 'pause', targets: [service] })
}

export async function resume(ctx: FaultContext, { service }: ServiceFaultParameters): Promise<void> {
  await ctx.devnet.service(service).resume()
  ctx.record({ kind: 'fault-end', name: 'pause', targets: [service] })
}

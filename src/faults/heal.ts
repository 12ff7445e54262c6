/**
 * `heal()`: undoes every partition and link fault (see partition.ts, linkFault.ts), a batcher outage, a
 * challenger outage, etcd partitions and stale backends (staleBackend.ts), closing their windows.
 */
import { healEtcdPartitions } from './conductor.js'
import { call, isActive, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { unfreezeAll } from './staleBackend.js'

export const healFault: FaultDefinition<Record<never, never>> = {
  summary: 'end partitions, etcd partitions, link faults, batcher and challenger outages, stale backends',
  lasts: 'recovery',
  args: () => ({}),
  targets: () => [],
  act: async (ctx) => {
    const { devnet, state } = ctx
    if (state.runtimePartition) await devnet.runtime.heal()
    state.runtimePartition = false
    if (isActive(state, 'batcherOutage')) await call(devnet.endpoints.batcher.rpc, 'admin_startBatcher').catch(() => {})
    await healEtcdPartitions(ctx)
    if (isActive(state, 'challengerOutage')) await devnet.service('challenger').restart()
    await unfreezeAll(ctx)
    for (const s of state.linkFaults) await clearLinkFault(ctx, s)
    state.linkFaults = []
  },
}

export const heal = (ctx: FaultContext) => runFault(ctx, 'heal', healFault, {})

/** Removes the link faults (latency / loss / bandwidth) of a service. */
export async function clearLinkFault(ctx: FaultContext, service: string): Promise<void> {
  await ctx.devnet.runtime.setLinkFault(service, undefined)
  ctx.state.linkFaults = ctx.state.linkFaults.filter((s) => s !== service)
}

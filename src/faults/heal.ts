/**
 * `heal()`: undoes every partition and link fault (see partition.ts, linkFault.ts) and a batcher outage,
 * closing their windows.
 */
import { call, isActive, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'

export const healFault: FaultDefinition<Record<never, never>> = {
  summary: 'end partitions, link faults and batcher outages',
  lasts: 'recovery',
  args: () => ({}),
  targets: () => [],
  act: async (ctx) => {
    const { devnet, state } = ctx
    if (state.runtimePartition && devnet.runtime.heal) await devnet.runtime.heal()
    state.runtimePartition = false
    for (const [node, peers] of Object.entries(state.blockedPeers)) {
      for (const peer of peers) await call(devnet.endpoints[node].rollup, 'opp2p_unblockPeer', [peer])
    }
    state.blockedPeers = {}
    const restartBatcher = state.l1Cut.includes('batcher') || isActive(state, 'batcherOutage')
    for (const s of state.l1Cut) if (s !== 'batcher') await call(devnet.endpoints[s].rollup, 'devnet_setL1Offline', [false])
    state.l1Cut = []
    if (restartBatcher) await call(devnet.endpoints.batcher.rpc, 'admin_startBatcher').catch(() => {})
    for (const s of state.linkFaults) await clearLinkFault(ctx, s)
    state.linkFaults = []
  },
}

export const heal = (ctx: FaultContext) => runFault(ctx, 'heal', healFault, {})

/** Removes the link faults (latency / loss / bandwidth) of a service. */
export async function clearLinkFault(ctx: FaultContext, service: string): Promise<void> {
  const { runtime, endpoints } = ctx.devnet
  if (runtime.setLinkFault) await runtime.setLinkFault(service, undefined).catch(() => {})
  const rollup = endpoints[service]?.rollup
  if (rollup) await call(rollup, 'devnet_setLinkFault', [])
  ctx.state.linkFaults = ctx.state.linkFaults.filter((s) => s !== service)
}

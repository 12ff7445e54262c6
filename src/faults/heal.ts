/** `heal()`: undoes every partition and link fault (see partition.ts, linkFault.ts). */
import { call, type FaultContext } from './context.js'

export async function heal(ctx: FaultContext): Promise<void> {
  const { devnet, state } = ctx
  if (state.runtimePartition && devnet.runtime.heal) await devnet.runtime.heal()
  state.runtimePartition = false
  for (const [node, peers] of state.blockedPeers) {
    for (const peer of peers) await call(devnet.endpoints[node].rollup, 'opp2p_unblockPeer', [peer])
  }
  state.blockedPeers.clear()
  for (const s of state.l1Cut) {
    if (s === 'batcher') await call(devnet.endpoints.batcher.rpc, 'admin_startBatcher').catch(() => {})
    else await call(devnet.endpoints[s].rollup, 'devnet_setL1Offline', [false])
  }
  state.l1Cut.clear()
  for (const s of state.linkFaults) await clearLinkFault(ctx, s)
  state.linkFaults.clear()
  ctx.record({ kind: 'fault-end', name: 'heal', targets: [] })
}

/** Removes a latency/loss fault from a service. */
export async function clearLinkFault(ctx: FaultContext, service: string): Promise<void> {
  const { runtime, endpoints } = ctx.devnet
  if (runtime.setLinkFault) await runtime.setLinkFault(service, undefined).catch(() => {})
  const rollup = endpoints[service]?.rollup
  if (rollup) await call(rollup, 'devnet_setLinkFault', [])
  ctx.state.linkFaults.delete(service)
}

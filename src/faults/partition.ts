/**
 * `partition(groups, { links })`: services in different groups cannot reach each other.
 * - docker: the runtime moves each group onto its own network (p2p only, or p2p and RPC for `all`).
 * - process: p2p is cut with op-node's own admin API (`opp2p_blockPeer` both ways, which also drops
 *   the connection); for `links: 'all'` a rollup node grouped away from `l1` loses its L1 link (a
 *   lite-only admin hook, `devnet_setL1Offline`) and a batcher grouped away from L1 or the sequencer
 *   stops submitting (`admin_stopBatcher`).
 * A p2p partition keeps L1 access, so a cut-off replica keeps deriving its safe head.
 */
import { DevnetError } from '../errors.js'
import { call, rollupNodes, type FaultContext } from './context.js'

export interface PartitionParameters {
  groups: string[][]
  links?: 'p2p' | 'all'
}

export async function partition(ctx: FaultContext, { groups, links = 'p2p' }: PartitionParameters): Promise<void> {
  const { devnet, state } = ctx
  if (groups.length < 2) throw new DevnetError('partition: give at least two groups', { code: 'DEVNET_USAGE' })
  const groupOf = new Map<string, number>()
  groups.forEach((g, i) => g.forEach((s) => groupOf.set(s, i)))
  for (const s of groupOf.keys()) devnet.service(s) // throws on unknown names
  const runtime = devnet.runtime
  if (runtime.partition) {
    await runtime.partition(groups, { links })
    state.runtimePartition = true
  } else {
    const nodes = rollupNodes(devnet).filter((n) => groupOf.has(n))
    const ids = new Map<string, string>()
    for (const n of nodes) ids.set(n, (await call<{ peerID: string }>(devnet.endpoints[n].rollup, 'opp2p_self')).peerID)
    for (const a of nodes) {
      for (const b of nodes) {
        if (groupOf.get(a) === groupOf.get(b)) continue
        await call(devnet.endpoints[a].rollup, 'opp2p_blockPeer', [ids.get(b)])
        state.blockedPeers.set(a, [...(state.blockedPeers.get(a) ?? []), ids.get(b)!])
      }
    }
    if (links === 'all') {
      const l1Group = groupOf.get('l1')
      for (const n of nodes) {
        if (l1Group !== undefined && groupOf.get(n) !== l1Group) {
          await call(devnet.endpoints[n].rollup, 'devnet_setL1Offline', [true])
          state.l1Cut.add(n)
        }
      }
      const b = groupOf.get('batcher')
      const sequencer = devnet.topology.l2.nodes.find((n) => n.role === 'sequencer')!.name
      if (b !== undefined && ((l1Group !== undefined && b !== l1Group) || (groupOf.has(sequencer) && b !== groupOf.get(sequencer)))) {
        await call(devnet.endpoints.batcher.rpc, 'admin_stopBatcher').catch(() => {})
        state.l1Cut.add('batcher')
      }
    }
  }
  ctx.record({ kind: 'fault-start', name: 'partition', targets: [...groupOf.keys()], details: { groups, links } })
}

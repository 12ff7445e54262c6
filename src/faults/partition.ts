/**
 * `partition(groups, { links })`: services in different groups cannot reach each other; services in no
 * group form one more group. The runtime cuts the links: docker moves each group onto its own network
 * (p2p only, or p2p and RPC for `all`); the process runtime cuts the link proxies between groups
 * (carried connections reset, new ones refused). A p2p partition keeps L1 access, so a cut-off replica
 * keeps deriving its safe head.
 */
import { DevnetError } from '../errors.js'
import type { FaultContext } from './context.js'

export interface PartitionParameters {
  groups: string[][]
  links?: 'p2p' | 'all'
}

export async function partition(ctx: FaultContext, { groups, links = 'p2p' }: PartitionParameters): Promise<void> {
  const { devnet, state } = ctx
  if (groups.length < 2) throw new DevnetError('partition: give at least two groups', { code: 'DEVNET_USAGE' })
  const targets = groups.flat()
  for (const s of targets) devnet.service(s) // throws on unknown names
  await devnet.runtime.partition(groups, { links })
  state.runtimePartition = true
  ctx.record({ kind: 'fault-start', name: 'partition', targets, details: { groups, links, via: devnet.runtime.kind === 'docker' ? 'docker networks' : 'proxy' } })
}

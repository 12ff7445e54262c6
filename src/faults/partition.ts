/**
 * `partition(groups, { links })`: services in different groups cannot reach each other; ended by `heal`.
 * - runtimes with network control (`runtime.partition`): docker moves each group onto its own network
 *   (p2p only, or p2p and RPC for `all`).
 * - otherwise (process runtime, until it cuts links itself): p2p is cut with op-node's own admin API
 *   (`opp2p_blockPeer` both ways, which also drops the connection); for `links: 'all'` a rollup node
 *   grouped away from `l1` loses its L1 link (a lite-only admin hook, `devnet_setL1Offline`) and a
 *   batcher grouped away from L1 or the sequencer stops submitting (`admin_stopBatcher`).
 * A p2p partition keeps L1 access, so a cut-off replica keeps deriving its safe head.
 */
import { isSeq } from 'yaml'
import { DevnetError } from '../errors.js'
import { describe, oneOf, type Check, type Reader, type YNode } from '../topology/reader.js'
import { member, type Names } from './checks.js'
import { call, rollupNodes, type FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'

export interface PartitionParameters {
  groups: string[][]
  /** @default 'p2p' (scenario steps and `devnet fault`: 'all') */
  links?: 'p2p' | 'all'
}

export const partitionFault: FaultDefinition<PartitionParameters> = {
  summary: 'cut links between groups of services (p2p: rollup-node gossip only; all: every link); ended by heal',
  lasts: 'window',
  endedBy: ['heal'],
  args: (names) => ({
    groups: { check: groups(names), doc: 'two or more lists of services, e.g. [[replica-0], [sequencer, l1, batcher]]' },
    links: { check: oneOf('p2p', 'all'), default: 'all', doc: 'p2p or all' },
  }),
  check: ({ groups, links }, names) => {
    if (links !== 'p2p') return undefined
    for (const [i, list] of groups.entries()) {
      const j = list.findIndex((s) => !names.nodes.includes(s))
      if (j >= 0) return { at: `groups[${i}][${j}]`, message: `${JSON.stringify(list[j])} has no p2p links; partition it with links: all` }
    }
    return undefined
  },
  targets: ({ groups }) => groups.flat(),
  act: cut,
}

async function cut(ctx: FaultContext, { groups, links = 'p2p' }: PartitionParameters): Promise<void> {
  const { devnet, state } = ctx
  if (groups.length < 2) throw new DevnetError('partition: give at least two groups', { code: 'DEVNET_USAGE' })
  const groupOf = new Map<string, number>()
  groups.forEach((g, i) => g.forEach((s) => groupOf.set(s, i)))
  for (const s of groupOf.keys()) devnet.service(s) // throws on unknown names
  if (devnet.runtime.partition) {
    await devnet.runtime.partition(groups, { links })
    state.runtimePartition = true
    return
  }
  const nodes = rollupNodes(devnet).filter((n) => groupOf.has(n))
  const ids = new Map<string, string>()
  for (const n of nodes) ids.set(n, (await call<{ peerID: string }>(devnet.endpoints[n].rollup, 'opp2p_self')).peerID)
  for (const a of nodes) {
    for (const b of nodes) {
      if (groupOf.get(a) === groupOf.get(b)) continue
      await call(devnet.endpoints[a].rollup, 'opp2p_blockPeer', [ids.get(b)])
      state.blockedPeers[a] = [...(state.blockedPeers[a] ?? []), ids.get(b)!]
    }
  }
  if (links !== 'all') return
  const l1Group = groupOf.get('l1')
  for (const n of nodes) {
    if (l1Group !== undefined && groupOf.get(n) !== l1Group) {
      await call(devnet.endpoints[n].rollup, 'devnet_setL1Offline', [true])
      state.l1Cut.push(n)
    }
  }
  const b = groupOf.get('batcher')
  const sequencer = devnet.topology.l2.nodes.find((n) => n.role === 'sequencer')!.name
  if (b !== undefined && ((l1Group !== undefined && b !== l1Group) || (groupOf.has(sequencer) && b !== groupOf.get(sequencer)))) {
    await call(devnet.endpoints.batcher.rpc, 'admin_stopBatcher').catch(() => {})
    state.l1Cut.push('batcher')
  }
}

export const partition = (ctx: FaultContext, args: PartitionParameters) => runFault(ctx, 'partition', partitionFault, args)

/** `groups` of a partition: two or more non-empty lists of services, no service in two groups. */
function groups(names: Names): Check<unknown> {
  const service = member('service', names.services)
  return (r: Reader, node: YNode, path: string) => {
    const lists = r.items(node, path)
    if (!lists) return undefined
    if (lists.length < 2) return r.fail(path, r.line(node), `expected at least 2 groups, found ${lists.length}`)
    const seen = new Map<string, string>()
    let valid = true
    const out = lists.map((list) => {
      if (!isSeq(list.node) || list.node.items.length === 0) {
        valid = false
        return r.fail(list.path, list.line, `expected a non-empty list of services, found ${describe(list.node)}`) ?? []
      }
      return (r.items(list.node, list.path) ?? []).map((item) => {
        const name = service(r, item.node, item.path)
        const first = name === undefined ? undefined : seen.get(name)
        if (name === undefined) valid = false
        else if (first !== undefined) {
          valid = false
          r.fail(item.path, item.line, `${JSON.stringify(name)} is in ${first} already; a service can be in one group only`)
        } else seen.set(name, list.path)
        return name ?? ''
      })
    })
    return valid ? out : undefined
  }
}

/**
 * `partition(groups, { links })`: services in different groups cannot reach each other; services in no
 * group form one more group; ended by `heal`. The runtime cuts the links: docker moves each group onto
 * its own network (p2p only, or p2p and RPC for `all`); the process runtime cuts the link proxies
 * between groups (carried connections reset, new ones refused). A p2p partition keeps L1 access, so a
 * cut-off replica keeps deriving its safe head.
 */
import { isSeq } from 'yaml'
import { DevnetError } from '../errors.js'
import { describe, oneOf, type Check, type Reader, type YNode } from '../topology/reader.js'
import { member, type Names } from './checks.js'
import type { FaultContext } from './context.js'
import { runFault, type FaultDefinition } from './definition.js'
import { pick } from './draw.js'
import { L1_CLOCK_SERVICE } from '../plan/l1Clock.js'

export interface PartitionParameters {
  groups: string[][]
  /** @default 'p2p' (scenario steps and `devnet fault`: 'all') */
  links?: 'p2p' | 'all'
}

export const partitionFault: FaultDefinition<PartitionParameters, { via: string }> = {
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
  details: (r) => r,
  // The rollup nodes shuffled and split in two non-empty groups; with `all`, L1 and the batcher join one
  // of them (services in no group would form a third group, cut off from every node).
  chaos: {
    unsupported: (names) => (names.nodes.length < 2 ? `a partition needs at least 2 rollup nodes; the topology has ${names.nodes.length}` : undefined),
    draw: (random, names) => {
      const nodes = [...names.nodes]
      for (let i = nodes.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[nodes[i], nodes[j]] = [nodes[j], nodes[i]]
      }
      const cut = 1 + Math.floor(random() * (nodes.length - 1))
      const groups = [nodes.slice(0, cut), nodes.slice(cut)]
      const links = pick(random, ['p2p', 'all'] as const)
      if (links === 'all') groups[Math.floor(random() * 2)].push('l1', 'batcher')
      return { groups, links }
    },
  },
}

async function cut(ctx: FaultContext, { groups, links = 'p2p' }: PartitionParameters): Promise<{ via: string }> {
  const { devnet, state } = ctx
  if (groups.length < 2) throw new DevnetError('partition: give at least two groups', { code: 'DEVNET_USAGE' })
  for (const s of groups.flat()) devnet.service(s) // throws on unknown names
  await devnet.runtime.partition(withL1Clock(groups, devnet.endpoints), { links })
  state.runtimePartition = true
  return { via: devnet.runtime.kind === 'docker' ? 'docker networks' : 'proxy' }
}

/**
 * The L1 clock is L1's block production (its consensus layer): it goes wherever L1 goes, so a partition
 * never stops L1 mining. Services in no group form one more group, with L1 or without it: so does the clock.
 */
export function withL1Clock(groups: string[][], endpoints: Record<string, unknown>): string[][] {
  if (!(L1_CLOCK_SERVICE in endpoints)) return groups
  return groups.map((group) => (group.includes('l1') ? [...group, L1_CLOCK_SERVICE] : group))
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

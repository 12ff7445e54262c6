/** Reads and checks the arguments of a fault step against the scenario's topology. */
import { isMap, isSeq } from 'yaml'
import { describe, int, join, oneOf, type Check, type Entry, type Reader, type YNode } from '../topology/reader.js'
import type { Topology } from '../topology/types.js'
import { bool, member, number } from './checks.js'
import type { FaultCall, FaultName } from './faults.js'

/** Names a step may refer to. */
export interface Names {
  topology: Topology
  /** L2 node names. */
  nodes: string[]
  /** L2 nodes, `l1` and `batcher`. */
  services: string[]
}

/** One argument: its check and, for an optional one, its default. */
interface Arg {
  check: Check<unknown>
  default?: unknown
}

function argSpecs(names: Names): Record<FaultName, Record<string, Arg>> {
  const service = { check: member('service', names.services) }
  const node = { check: member('node', names.nodes) }
  return {
    l1Reorg: { depth: { check: int(1) }, reinclude: { check: bool, default: false }, allowFinalized: { check: bool, default: false } },
    l1Halt: {},
    l1Resume: {},
    crash: { service },
    stop: { service },
    start: { service },
    restart: { service },
    pause: { service },
    resume: { service },
    partition: { groups: { check: groups(names) }, links: { check: oneOf('p2p', 'all'), default: 'all' } },
    heal: {},
    batcherOutage: {},
    batcherResume: {},
    failover: { from: node, to: node, mode: { check: oneOf('stop', 'crash'), default: 'stop' } },
    latency: { service, ms: { check: int(1) }, jitter: { check: int(0), default: 0 } },
    loss: { service, percent: { check: number(0, 100) } },
    clearLinkFaults: { service },
  }
}

/**
 * Reads the arguments of fault `name` from `args` (a mapping; absent = none); `at` is where missing
 * arguments are reported when `args` is absent. Returns `undefined` (with issues on `r`) if invalid.
 */
export function readFault(r: Reader, name: FaultName, args: Entry | undefined, at: Entry, names: Names): FaultCall | undefined {
  const spec = argSpecs(names)[name]
  const keys = Object.keys(spec)
  const where = args ?? at
  const unknown = (key: string) =>
    keys.length
      ? `unknown argument ${JSON.stringify(key)} for ${name}; expected one of: ${keys.join(', ')}`
      : `unknown argument ${JSON.stringify(key)}; ${name} takes no arguments`
  const given = r.entries(where === args ? args.node : null, where.path, keys, unknown)
  if (args && args.node !== null && !isMap(args.node)) return undefined
  const out: Record<string, unknown> = {}
  let valid = true
  for (const [key, arg] of Object.entries(spec)) {
    const entry = given.get(key)
    const value = entry ? arg.check(r, entry.node, entry.path) : arg.default
    if (!entry && !('default' in arg)) r.fail(where.path, where.line, `missing required argument ${JSON.stringify(key)} for ${name}`)
    if (value === undefined) valid = false
    else out[key] = value
  }
  if (!valid) return undefined
  const call = { name, args: out } as FaultCall
  return checkCall(r, call, where.path, names) ? call : undefined
}

/** Checks that span several arguments or need the topology; `true` if there was no problem. */
function checkCall(r: Reader, call: FaultCall, path: string, names: Names): boolean {
  const fail = (key: string, message: string) => r.fail(join(path, key), r.lines.get(join(path, key)), message) ?? false
  if (call.name === 'l1Reorg' && !call.args.allowFinalized) {
    const distance = 2 * names.topology.l1.slotsPerEpoch
    if (call.args.depth > distance) {
      return fail(
        'depth',
        `a reorg of depth ${call.args.depth} replaces L1's finalized block (finalized = head - ${distance}); use a depth of at most ${distance} or set allowFinalized: true`,
      )
    }
  }
  if (call.name === 'failover' && call.args.from === call.args.to) {
    return fail('to', `expected a node other than from (${JSON.stringify(call.args.from)})`)
  }
  if (call.name === 'partition' && call.args.links === 'p2p') {
    const [i, j] = findIndex(call.args.groups, (s) => !names.nodes.includes(s))
    if (i >= 0) {
      const at = join(join(join(path, 'groups'), i), j)
      r.fail(at, r.lines.get(at), `${JSON.stringify(call.args.groups[i][j])} has no p2p links; partition it with links: all`)
      return false
    }
  }
  return true
}

/** `[i, j]` of the first item of a list of lists matching `test`, or `[-1, -1]`. */
function findIndex<T>(lists: T[][], test: (item: T) => boolean): [number, number] {
  for (const [i, list] of lists.entries()) {
    const j = list.findIndex(test)
    if (j >= 0) return [i, j]
  }
  return [-1, -1]
}

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

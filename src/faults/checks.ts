/**
 * Value checks for fault arguments (scenario steps and `devnet fault`), in the style of
 * `topology/reader.ts`, and the names a fault may refer to.
 */
import { isScalar } from 'yaml'
import { describe, str, type Check } from '../topology/reader.js'
import type { Topology } from '../topology/types.js'
import { conductorNodes } from '../topology/conductor.js'
import { conductorService } from '../plan/conductor.js'

/** Names a fault may refer to. */
export interface Names {
  topology: Topology
  /** L2 node names. */
  nodes: string[]
  /** L2 nodes, `l1`, `batcher`, `proposer`, `challenger`, `proxyd` (when the topology runs it), the conductors (`<node>-conductor`) and `bootnode` (with `l2.discovery: bootnodes`). */
  services: string[]
  /** Devnet clock speed of the run, when known (chaos). @default 1 */
  speed?: number
}

/** The {@link Names} of a topology (run at `speed`). */
export function namesOf(topology: Topology, speed = 1): Names {
  const nodes = topology.l2.nodes.map((n) => n.name)
  return { topology, nodes, speed, services: [...nodes, 'l1', 'batcher', 'proposer', 'challenger', ...(topology.proxyd.enabled ? ['proxyd'] : []), ...conductorNodes(topology).map(conductorService), ...(topology.l2.discovery === 'bootnodes' ? ['bootnode'] : [])] }
}

/** A number in `(min, max]` (integers or decimals). */
export function number(min: number, max = Infinity): Check<number> {
  const expected = max === Infinity ? `a number > ${min}` : `a number > ${min} and <= ${max}`
  return (r, node, path) => {
    const value = isScalar(node) ? node.value : undefined
    if (typeof value === 'number' && value > min && value <= max) return value
    return r.fail(path, r.line(node), `expected ${expected}, found ${describe(node)}`)
  }
}

/** One of `names`, with `what` naming the kind of thing in the message (`unknown service "x"; …`). */
export function member(what: string, names: readonly string[]): Check<string> {
  return (r, node, path) => {
    const value = str(r, node, path)
    if (value === undefined || names.includes(value)) return value
    return r.fail(path, r.line(node), `unknown ${what} ${JSON.stringify(value)}; expected one of: ${names.join(', ')}`)
  }
}

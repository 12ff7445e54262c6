/**
 * `l2.conductor`: op-conductor beside sequencer-capable nodes (the sequencer and `standby: true`
 * replicas), each with its own etcd member. Read with the rest of `l2`; {@link checkConductor} checks it
 * against the nodes once every key is valid.
 */
import { defaults } from './defaults.js'
import { bool, int, join, str, type Check, type Reader } from './reader.js'
import type { ConductorSpec, Topology } from './types.js'

/** op-conductor needs a raft quorum that survives one loss: at least this many voters. */
export const MIN_VOTERS = 3

export const readConductor: Check<ConductorSpec> = (r, node, path) =>
  r.section<ConductorSpec>(
    node,
    path,
    {
      enabled: bool,
      nodes: (r, node, path) => r.items(node, path)?.map((item) => str(r, item.node, item.path) ?? ''),
      healthcheck: (r, node, path) =>
        r.section<ConductorSpec['healthcheck']>(node, path, { interval: int(1), unsafeInterval: int(1), minPeerCount: int(0) }, defaults.l2.conductor.healthcheck),
    },
    defaults.l2.conductor,
  )

/** Whether a node can sequence (the sequencer, or a standby replica). */
export const canSequence = (t: Topology, name: string) => t.l2.nodes.some((n) => n.name === name && (n.role === 'sequencer' || n.standby))

/** The nodes that run a conductor: `l2.conductor.nodes`, or every sequencer-capable node; none when disabled. */
export function conductorNodes(t: Topology): string[] {
  const c = t.l2.conductor
  if (!c.enabled) return []
  return c.nodes.length ? c.nodes : t.l2.nodes.filter((n) => canSequence(t, n.name)).map((n) => n.name)
}

/** Conductors only beside nodes that can sequence, and at least {@link MIN_VOTERS} of them when enabled. */
export function checkConductor(r: Reader, t: Topology): void {
  const c = t.l2.conductor
  const fail = (path: string, message: string) => r.fail(path, r.lines.get(path), message)
  c.nodes.forEach((name, i) => {
    const at = join('l2.conductor.nodes', i)
    if (!t.l2.nodes.some((n) => n.name === name)) fail(at, `no node named ${JSON.stringify(name)}`)
    else if (!canSequence(t, name)) {
      fail(at, `node ${JSON.stringify(name)} cannot sequence (a replica without standby: true); a conductor runs only beside the sequencer or a standby`)
    } else if (c.nodes.indexOf(name) < i) fail(at, `duplicate node ${JSON.stringify(name)}`)
  })
  if (!c.enabled) {
    if (c.nodes.length) fail('l2.conductor.nodes', 'conductors are placed only with l2.conductor.enabled: true')
    return
  }
  const voters = conductorNodes(t).length
  if (voters < MIN_VOTERS) {
    const at = r.lines.has('l2.conductor.nodes') ? 'l2.conductor.nodes' : 'l2.conductor.enabled'
    fail(at, `expected at least ${MIN_VOTERS} sequencer-capable nodes with a conductor (raft voters), found ${voters}; give more nodes standby: true`)
  }
}

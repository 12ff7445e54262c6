/** Host ports at start: the stable map of `plan/ports.ts`, or the same shape filled with free ports. */
import { allocatePorts } from '../runtime/ports.js'
import { conductorPorts, stablePorts, type PortMap } from '../plan/ports.js'
import { conductorNodes } from '../topology/conductor.js'
import type { Topology } from '../topology/types.js'

/**
 * The host ports to use: {@link stablePorts} for `ports: stable`, or the same shape filled with distinct
 * free ports on 127.0.0.1 for `ports: auto`.
 * @example
 * const ports = await resolvePorts({ ...topology, ports: 'auto' })
 */
export async function resolvePorts(topology: Topology): Promise<PortMap> {
  if (topology.ports === 'stable') return stablePorts(topology)
  const conductors = conductorNodes(topology)
  const free = await allocatePorts(11 + 3 * topology.l2.nodes.length + 3 * conductors.length)
  let next = 0
  const take = () => free[next++]
  return {
    l1: { rpc: take() },
    l1Clock: { rpc: take() },
    nodes: Object.fromEntries(topology.l2.nodes.map((node) => [node.name, { el: take(), rollup: take(), p2p: take() }])),
    batcher: { rpc: take() },
    proposer: { rpc: take(), metrics: take() },
    proxyd: { rpc: take(), ws: take(), metrics: take() },
    ...conductorPorts(conductors, () => ({ rpc: take(), consensus: take(), etcd: take() })),
    challenger: { metrics: take() },
    bootnode: { p2p: take(), rpc: take() },
  }
}

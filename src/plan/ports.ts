/**
 * Host ports of a devnet.
 *
 * With `ports: stable` (the default) every devnet gets the same documented ports:
 *
 * | service | port | number |
 * |---|---|---|
 * | `l1` (anvil) | `rpc` | 8545 |
 * | `l1-clock` (L1 block production: `l1clock_halt`, `l1clock_resume`, `l1clock_status`) | `rpc` | 8546 |
 * | i-th node of `l2.nodes` (list order, i = 0, 1, ...) | `el` (L2 execution RPC) | 9545 + i |
 * | | `rollup` (rollup node RPC) | 7545 + i |
 * | | `p2p` (libp2p TCP) | 9222 + i |
 * | `batcher` | `rpc` | 8548 |
 * | `proposer` | `rpc` (admin API, `proposer_status`) | 8570 |
 * | | `metrics` (Prometheus, `op_proposer_default_*`) | 7320 |
 * | `proxyd` | `rpc` (the RPC front door apps should use) | 8080 |
 * | | `ws` (WebSocket front: `eth_subscribe`) | 8085 |
 * | | `metrics` (Prometheus) | 7300 |
 * | conductor of the i-th node (`l2.conductor`) | `rpc` (op-conductor RPC) | 8560 + i |
 * | | `consensus` (its etcd member's raft peer port) | 50050 + 2i |
 * | | `etcd` (the member's client port, loopback only) | 50051 + 2i |
 * | `challenger` | `metrics` (Prometheus `op_challenger_*`, health, `challenger_status`) | 7310 |
 * | `bootnode` | `p2p` (discv5 UDP) | 30301 |
 * | | `rpc` (`opp2p_*`) | 7540 |
 *
 * so with the default topology (sequencer first) the sequencer is at el 9545, rollup 7545, p2p 9222 and
 * `replica-0` at 9546, 7546, 9223. A node's discv5 UDP port has its p2p TCP port's number. With `ports: auto` the same map is filled with free ports picked at
 * start (`devnet/ports.ts`), so two devnets can run side by side.
 */
import { DevnetError } from '../errors.js'
import { conductorNodes } from '../topology/conductor.js'
import type { Topology } from '../topology/types.js'

/** Ports of one rollup node. */
export interface NodePorts {
  el: number
  rollup: number
  p2p: number
}

/** Every host port of a devnet. */
export interface PortMap {
  l1: { rpc: number }
  l1Clock: { rpc: number }
  /** By node name. */
  nodes: Record<string, NodePorts>
  batcher: { rpc: number }
  proposer: { rpc: number; metrics: number }
  proxyd: { rpc: number; ws: number; metrics: number }
  challenger: { metrics: number }
  bootnode: { p2p: number; rpc: number }
  /** By node name, for nodes with a conductor (absent: none). */
  conductors?: Record<string, ConductorPorts>
}

/** Ports of one conductor. */
export interface ConductorPorts {
  rpc: number
  consensus: number
  etcd: number
}

/** Bases of the stable port map (the i-th node adds i). */
export const stablePortBase = {
  /** @default 8545 */
  l1Rpc: 8545,
  /** @default 8546 */
  l1ClockRpc: 8546,
  /** @default 9545 */
  el: 9545,
  /** @default 7545 */
  rollup: 7545,
  /** @default 9222 */
  p2p: 9222,
  /** @default 8548 */
  batcherRpc: 8548,
  /** @default 8570 (clear of the conductors' 8560 + i) */
  proposerRpc: 8570,
  /** @default 7320 */
  proposerMetrics: 7320,
  /** @default 8080 */
  proxydRpc: 8080,
  /** @default 8085 */
  proxydWs: 8085,
  /** @default 7300 */
  proxydMetrics: 7300,
  /** @default 8560 */
  conductorRpc: 8560,
  /** @default 50050 (op-conductor's default consensus port) */
  conductorConsensus: 50050,
  /** @default 7310 */
  challengerMetrics: 7310,
  /** @default 30301 */
  bootnodeP2p: 30301,
  /** @default 7540 */
  bootnodeRpc: 7540,
} as const

/** Every port number in a map, in a fixed order (l1, l1-clock, nodes in list order, batcher, proposer, proxyd, challenger, bootnode, conductors). */
export function portList(ports: PortMap): number[] {
  return [
    ports.l1.rpc,
    ports.l1Clock.rpc,
    ...Object.values(ports.nodes).flatMap((n) => [n.el, n.rollup, n.p2p]),
    ports.batcher.rpc,
    ports.proposer.rpc,
    ports.proposer.metrics,
    ports.proxyd.rpc,
    ports.proxyd.ws,
    ports.proxyd.metrics,
    ports.challenger.metrics,
    ports.bootnode.p2p,
    ports.bootnode.rpc,
    ...Object.values(ports.conductors ?? {}).flatMap((c) => [c.rpc, c.consensus, c.etcd]),
  ]
}

/**
 * The documented stable port map of a topology (see the module TSDoc).
 * @throws DevnetError (`DEVNET_USAGE`) if the topology has so many nodes that stable ports would collide.
 * @example
 * stablePorts(defaultTopology()).nodes['replica-0'] // { el: 9546, rollup: 7546, p2p: 9223 }
 */
export function stablePorts(topology: Topology): PortMap {
  const b = stablePortBase
  const ports: PortMap = {
    l1: { rpc: b.l1Rpc },
    l1Clock: { rpc: b.l1ClockRpc },
    nodes: Object.fromEntries(topology.l2.nodes.map((node, i) => [node.name, { el: b.el + i, rollup: b.rollup + i, p2p: b.p2p + i }])),
    batcher: { rpc: b.batcherRpc },
    proposer: { rpc: b.proposerRpc, metrics: b.proposerMetrics },
    proxyd: { rpc: b.proxydRpc, ws: b.proxydWs, metrics: b.proxydMetrics },
    ...conductorPorts(conductorNodes(topology), (name) => {
      const i = topology.l2.nodes.findIndex((n) => n.name === name)
      return { rpc: b.conductorRpc + i, consensus: b.conductorConsensus + 2 * i, etcd: b.conductorConsensus + 2 * i + 1 }
    }),
    challenger: { metrics: b.challengerMetrics },
    bootnode: { p2p: b.bootnodeP2p, rpc: b.bootnodeRpc },
  }
  const list = portList(ports)
  if (new Set(list).size !== list.length || Math.max(...list) > 65_535) {
    throw new DevnetError(`${topology.l2.nodes.length} nodes do not fit the stable port map`, {
      code: 'DEVNET_USAGE',
      details: 'use `ports: auto` (or `devnet up --ports auto`)',
    })
  }
  return ports
}

/** `{ conductors }` for the nodes with a conductor, or nothing when there are none (the map stays as before). */
export function conductorPorts(nodes: string[], ports: (node: string) => ConductorPorts): Pick<PortMap, 'conductors'> {
  return nodes.length ? { conductors: Object.fromEntries(nodes.map((n) => [n, ports(n)])) } : {}
}

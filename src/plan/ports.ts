/**
 * Host ports of a devnet.
 *
 * With `ports: stable` (the default) every devnet gets the same documented ports:
 *
 * | service | port | number |
 * |---|---|---|
 * | `l1` (anvil) | `rpc` | 8545 |
 * | i-th node of `l2.nodes` (list order, i = 0, 1, ...) | `el` (L2 execution RPC) | 9545 + i |
 * | | `rollup` (rollup node RPC) | 7545 + i |
 * | | `p2p` (libp2p TCP) | 9222 + i |
 * | `batcher` | `rpc` | 8548 |
 * | `proxyd` | `rpc` (the RPC front door apps should use) | 8080 |
 * | | `ws` (WebSocket front: `eth_subscribe`) | 8085 |
 * | | `metrics` (Prometheus) | 7300 |
 *
 * so with the default topology (sequencer first) the sequencer is at el 9545, rollup 7545, p2p 9222 and
 * `replica-0` at 9546, 7546, 9223. With `ports: auto` the same map is filled with free ports picked at
 * start (`devnet/ports.ts`), so two devnets can run side by side.
 */
import { DevnetError } from '../errors.js'
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
  /** By node name. */
  nodes: Record<string, NodePorts>
  batcher: { rpc: number }
  proxyd: { rpc: number; ws: number; metrics: number }
}

/** Bases of the stable port map (the i-th node adds i). */
export const stablePortBase = {
  /** @default 8545 */
  l1Rpc: 8545,
  /** @default 9545 */
  el: 9545,
  /** @default 7545 */
  rollup: 7545,
  /** @default 9222 */
  p2p: 9222,
  /** @default 8548 */
  batcherRpc: 8548,
  /** @default 8080 */
  proxydRpc: 8080,
  /** @default 8085 */
  proxydWs: 8085,
  /** @default 7300 */
  proxydMetrics: 7300,
} as const

/** Every port number in a map, in a fixed order (l1, nodes in list order, batcher, proxyd). */
export function portList(ports: PortMap): number[] {
  return [ports.l1.rpc, ...Object.values(ports.nodes).flatMap((n) => [n.el, n.rollup, n.p2p]), ports.batcher.rpc, ports.proxyd.rpc, ports.proxyd.ws, ports.proxyd.metrics]
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
    nodes: Object.fromEntries(topology.l2.nodes.map((node, i) => [node.name, { el: b.el + i, rollup: b.rollup + i, p2p: b.p2p + i }])),
    batcher: { rpc: b.batcherRpc },
    proxyd: { rpc: b.proxydRpc, ws: b.proxydWs, metrics: b.proxydMetrics },
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

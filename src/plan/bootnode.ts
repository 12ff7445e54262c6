/**
 * The devnet's bootnode (`l2.discovery: bootnodes`): the lite op-bootnode with op-node's flag names, UDP
 * discv5 on its `p2p` port and op-node's `opp2p_*` RPC on `rpc`; and the discovery settings of each rollup
 * node. Nodes learn the bootnode's ENR from its RPC (`opp2p_self`) before each discovery round, as
 * orchestrators do for op-node: in a container its IP is known only once it runs. Pure.
 */
import type { DiscoveryConfig } from '../components/rollup-node/discovery.js'
import { NODE_DATA_DIR } from '../components/rollup-node/config.js'
import { p2pPrivateKeyFromSeed } from '../protocol/p2pIdentity.js'
import type { Topology } from '../topology/types.js'
import type { PortMap } from './ports.js'
import type { PortPlan, ServicePlan } from './types.js'

/** The bootnode's service name. */
export const BOOTNODE_SERVICE = 'bootnode'

/** op-node's `--p2p.peers.lo` / `--p2p.peers.hi` defaults. */
export const PEERS_LO = 20
export const PEERS_HI = 30

/** Where the bootnode and the nodes keep their discovery table (`--p2p.discovery.path`), in their data dir. */
const DISCOVERY_PATH = `${NODE_DATA_DIR}/discovery.json`

/** The bootnode's p2p key: stable per devnet name, distinct from every node's. */
export function bootnodeKey(topology: Topology): `0x${string}` {
  return p2pPrivateKeyFromSeed(`${topology.keys.mnemonic}/${topology.name}/bootnode`, 0)
}

/** The bootnode service (`rollupJson`: the devnet's rollup.json, for the chain ID of its ENR). */
export function bootnodeService(topology: Topology, o: { runtime: 'process' | 'docker'; bindHost: string; inner: PortMap['bootnode']; host: PortMap['bootnode']; rollupJson: string }): ServicePlan {
  const port = (inner: number, host: number, protocol: PortPlan['protocol'], isPublic: boolean): PortPlan => ({ port: inner, host, protocol, public: isPublic })
  return {
    name: BOOTNODE_SERVICE,
    role: 'bootnode',
    program: 'lite',
    args: [
      'bootnode',
      '--rollup.config', 'rollup.json',
      '--p2p.listen.ip', o.bindHost,
      '--p2p.listen.udp', String(o.inner.p2p),
      // In a container the ENR carries the address of its p2p alias (resolved at start).
      ...(o.runtime === 'docker' ? ['--p2p.advertise.ip', `${topology.name}-${BOOTNODE_SERVICE}-p2p`] : []),
      '--p2p.priv.raw', bootnodeKey(topology),
      '--p2p.discovery.path', DISCOVERY_PATH,
      '--rpc.addr', o.bindHost,
      '--rpc.port', String(o.inner.rpc),
    ],
    env: {},
    ports: { p2p: port(o.inner.p2p, o.host.p2p, 'udp', false), rpc: port(o.inner.rpc, o.host.rpc, 'http', true) },
    files: { 'rollup.json': o.rollupJson },
    readiness: { kind: 'rpc', port: 'rpc', method: 'opp2p_self' },
    dependsOn: [],
    links: [],
  }
}

/**
 * A node's discovery settings: the devnet's bootnode (by RPC URL) and `l2.bootnodes`, UDP on its p2p port
 * number (op-node's `--p2p.listen.udp 0`), and `dialAddrs`: the links to every other node, so discovered
 * peers are dialled through the runtime's links and partitions cut them like static peers.
 * `staticInbound`: how many nodes keep this one as a static peer. Its `peers.hi` makes room for them above
 * op-node's default, as an operator sizes a sequencer that every replica peers with: op-node's trim spares
 * only the static peers a node dials itself, so a sequencer at the default hung up on replicas that kept it
 * static, and they redialled it every 500 ms.
 */
export function nodeDiscovery(topology: Topology, o: { runtime: 'process' | 'docker'; node: string; udpPort: number; bootnodeRpc: string; dialAddrs: Record<string, string>; staticInbound: number }): DiscoveryConfig {
  return {
    bootnodes: topology.l2.bootnodes,
    bootnodeRpcs: [o.bootnodeRpc],
    udpPort: o.udpPort,
    ...(o.runtime === 'docker' ? { advertiseIp: `${topology.name}-${o.node}-p2p` } : {}),
    path: DISCOVERY_PATH,
    peersLo: PEERS_LO,
    peersHi: PEERS_HI + o.staticInbound,
    dialAddrs: o.dialAddrs,
  }
}

/**
 * The lite op-bootnode: `bootnode <flags>` (see flags.ts). A discv5-only node (no gossip, no req-resp)
 * that answers lookups with the records it knows, keeps its table at `--p2p.discovery.path` so a restarted
 * bootnode still knows the nodes, and serves op-node's `opp2p_self`, `opp2p_discoveryTable` and
 * `opp2p_peerStats` on its RPC.
 */
import '../shared/polyfills.js'
import { p2pNodeId, p2pPeerId } from '../../protocol/p2pIdentity.js'
import { decodeEnr, DiscoveryService, resolveIPv4 } from '../shared/discv5.js'
import { closeServer, startRpcServer, type RpcHandler } from '../shared/jsonrpc.js'
import { stopOnSignals } from '../shared/lifecycle.js'
import { logger } from '../shared/log.js'
import { parseBootnodeFlags, type BootnodeConfig } from './flags.js'

/** How often the bootnode refreshes its table with a random lookup (op-node's discovery interval). */
const LOOKUP_INTERVAL_MS = 5_000

/** The bootnode's RPC methods (op-node's `opp2p_*` shapes, the parts a bootnode has). */
export function bootnodeMethods(cfg: BootnodeConfig, disc: DiscoveryService): Record<string, RpcHandler> {
  const peerId = p2pPeerId(cfg.privateKey)
  return {
    opp2p_self: () => {
      const enr = disc.enr()
      return {
        peerID: peerId, nodeID: p2pNodeId(decodeEnr(enr).publicKey), userAgent: 'optimism', protocolVersion: '', ENR: enr,
        addresses: [], protocols: [], connectedness: 0, direction: 0, protected: false, chainID: cfg.chainId, latency: 0, gossipBlocks: false,
        scores: { gossip: { total: 0, blocks: { timeInMesh: 0, firstMessageDeliveries: 0, meshMessageDeliveries: 0, invalidMessageDeliveries: 0 }, IPColocationFactor: 0, behavioralPenalty: 0 }, reqResp: { validResponses: 0, errorResponses: 0, rejectedPayloads: 0 } },
      }
    },
    opp2p_discoveryTable: () => disc.table(),
    opp2p_peerStats: () => ({ connected: 0, table: disc.table().length, blocksTopic: 0, blocksTopicV2: 0, blocksTopicV3: 0, blocksTopicV4: 0, banned: 0, known: disc.table().length }),
  }
}

/** Starts a bootnode; resolves once discv5 listens and the RPC serves. */
export async function startBootnode(cfg: BootnodeConfig): Promise<{ discovery: DiscoveryService; stop(): Promise<void> }> {
  const log = logger('bootnode')
  const advertiseIp = cfg.advertiseIp === undefined ? undefined : await resolveIPv4(cfg.advertiseIp)
  const discovery = await DiscoveryService.start({
    privateKey: cfg.privateKey, listenIp: cfg.listenIp, udpPort: cfg.udpPort, ...(advertiseIp ? { advertiseIp } : {}),
    chainId: cfg.chainId, bootnodes: cfg.bootnodes, path: cfg.discoveryPath, log: (msg) => log.debug(msg),
  })
  const timer = setInterval(() => void discovery.lookup(), LOOKUP_INTERVAL_MS)
  let server
  try {
    server = await startRpcServer({ host: cfg.rpc.addr, port: cfg.rpc.port, methods: bootnodeMethods(cfg, discovery) })
  } catch (err) {
    clearInterval(timer)
    await discovery.stop()
    throw err
  }
  log.info('bootnode started', { udp: cfg.udpPort, rpc: cfg.rpc.port, enr: discovery.enr() })
  return {
    discovery,
    stop: async () => {
      clearInterval(timer)
      await closeServer(server)
      await discovery.stop()
    },
  }
}

/** `bootnode <op-bootnode flags>` */
export async function main(args: string[]): Promise<void> {
  const running = await startBootnode(parseBootnodeFlags(args))
  stopOnSignals(() => running.stop())
}

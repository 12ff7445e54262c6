/**
 * The rollup node RPC: `optimism_*`, `admin_*` and `opp2p_*` with op-node's method names, params and
 * JSON field names (see shared/reference/opstack-rpc.md).
 */
import type { Hex } from 'viem'
import { payloadFromEngineJson, type ExecutionPayloadEnvelopeJson } from '../../protocol/payload.js'
import type { RollupNode } from './node.js'
import { rpcFail, type RpcHandler } from '../shared/jsonrpc.js'

/** Version string reported by `optimism_version`. */
export const LITE_VERSION = 'v0.1.0-lite'

function quantity(v: unknown, name: string): number {
  if (typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v)) return Number(BigInt(v))
  if (v === 'latest' || v === 'safe' || v === 'finalized') return -1
  rpcFail(-32602, `invalid ${name}: expected a hex QUANTITY, got ${JSON.stringify(v)}`)
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') rpcFail(-32602, `invalid ${name}: expected a string`)
  return v
}

export function rollupMethods(node: RollupNode): Record<string, RpcHandler> {
  const p2p = () => node.gossip.p2p ?? rpcFail(-32601, 'p2p is disabled')
  return {
    optimism_syncStatus: () => node.syncStatus(),
    optimism_rollupConfig: () => node.cfg,
    optimism_version: () => LITE_VERSION,
    optimism_outputAtBlock: ([n]) => {
      let number = quantity(n, 'block number')
      if (n === 'latest') number = node.unsafe.number
      if (n === 'safe') number = node.safe.number
      if (n === 'finalized') number = node.finalized.number
      return node.outputAtBlock(number)
    },
    optimism_safeHeadAtL1Block: ([n]) => node.safeHeadAtL1Block(quantity(n, 'L1 block number')),
    admin_startSequencer: ([hash]) => node.sequencer.start(str(hash, 'unsafe head hash') as Hex),
    admin_stopSequencer: () => node.sequencer.stop(),
    admin_sequencerActive: () => node.sequencer.active,
    admin_resetDerivationPipeline: () => node.requestReset('admin_resetDerivationPipeline'),
    admin_postUnsafePayload: ([envelope]) => {
      const env = envelope as ExecutionPayloadEnvelopeJson
      if (!env?.executionPayload) rpcFail(-32602, 'expected an ExecutionPayloadEnvelope')
      node.gossip.enqueue(payloadFromEngineJson(env.executionPayload))
    },
    admin_conductorEnabled: () => node.conductor.enabled,
    admin_overrideLeader: () => {
      node.conductor.overridden = true
      node.log.warn('conductor leader overridden: this node sequences without asking its conductor')
      return null
    },
    admin_setLogLevel: () => null,
    opp2p_self: () => p2p().self(),
    opp2p_peers: ([connected]) => p2p().peers(connected === true),
    opp2p_peerStats: () => p2p().peerStats(),
    // Without discovery (`--p2p.no-discovery`); discovery.ts's `discoveryMethods` answer it otherwise.
    opp2p_discoveryTable: () => (p2p(), []),
    opp2p_blockPeer: ([id]) => p2p().blockPeer(str(id, 'peer ID')),
    opp2p_unblockPeer: ([id]) => p2p().unblockPeer(str(id, 'peer ID')),
    opp2p_listBlockedPeers: () => p2p().listBlockedPeers(),
    opp2p_blockAddr: ([ip]) => p2p().blockAddr(str(ip, 'IP')),
    opp2p_unblockAddr: ([ip]) => p2p().unblockAddr(str(ip, 'IP')),
    opp2p_listBlockedAddrs: () => p2p().listBlockedAddrs(),
    opp2p_blockSubnet: ([cidr]) => p2p().blockSubnet(str(cidr, 'subnet')),
    opp2p_unblockSubnet: ([cidr]) => p2p().unblockSubnet(str(cidr, 'subnet')),
    opp2p_listBlockedSubnets: () => p2p().listBlockedSubnets(),
    opp2p_protectPeer: ([id]) => p2p().protectPeer(str(id, 'peer ID')),
    opp2p_unprotectPeer: ([id]) => p2p().unprotectPeer(str(id, 'peer ID')),
    opp2p_connectPeer: ([addr]) => p2p().connectPeer(str(addr, 'multiaddr')),
    opp2p_disconnectPeer: ([id]) => p2p().disconnectPeer(str(id, 'peer ID')),
  }
}

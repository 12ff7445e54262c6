/**
 * The node's L2 execution RPC, as users see it: everything goes to the node's anvil, except that
 * transactions go to the sequencer's mempool (on a replica: forwarded to the sequencer) and the
 * anvil/evm control methods that would fork this node off the chain are refused.
 */
import type { Address, Hex } from 'viem'
import { callWithoutL1Fee } from './ethCall.js'
import type { RollupNode } from './node.js'
import { rpcClient, rpcFail, type RpcHandler } from '../shared/jsonrpc.js'

const BLOCKED = /^(anvil_|evm_|hardhat_|miner_|debug_setHead|eth_sendTransaction$|eth_sendUnsignedTransaction$)/

export function elMethods(node: RollupNode): { methods: Record<string, RpcHandler>; fallback: (m: string, p: unknown[]) => Promise<unknown> } {
  const seq = node.conf.sequencerHttp ? rpcClient(node.conf.sequencerHttp) : undefined
  const methods: Record<string, RpcHandler> = {
    eth_sendRawTransaction: async ([raw]) => {
      if (typeof raw !== 'string' || !raw.startsWith('0x')) rpcFail(-32602, 'expected a raw transaction (hex)')
      if (node.sequencer.active || !seq) {
        if (!node.conf.sequencer.enabled) rpcFail(-32000, 'this node neither sequences nor knows a sequencer to forward to')
        return node.sequencer.submit(raw as Hex)
      }
      return seq.call('eth_sendRawTransaction', [raw])
    },
    eth_getTransactionCount: async ([address, tag]) => {
      if (tag === 'pending') {
        if (node.sequencer.active || !seq) return `0x${(await node.sequencer.pendingNonce(address as Address)).toString(16)}`
        return seq.call('eth_getTransactionCount', [address, 'pending'])
      }
      return node.engine.rpc.call('eth_getTransactionCount', [address, tag ?? 'latest'])
    },
    eth_call: (params) => callWithoutL1Fee(node.engine.rpc, 'eth_call', params),
    eth_estimateGas: (params) => callWithoutL1Fee(node.engine.rpc, 'eth_estimateGas', params),
  }
  const fallback = async (method: string, params: unknown[]) => {
    if (BLOCKED.test(method)) {
      rpcFail(-32601, `${method} is not available on an L2 node's RPC: the rollup node drives this execution client (sign transactions locally and use eth_sendRawTransaction)`)
    }
    return node.engine.rpc.call(method, params)
  }
  return { methods, fallback }
}

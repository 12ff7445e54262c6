/**
 * The node's L2 execution RPC, as users see it (op-geth's role), over HTTP and WebSocket on one port.
 * Everything goes to the node's anvil, except that:
 * - transactions go to the sequencer's mempool (on a replica: forwarded to the sequencer; a standby keeps
 *   a copy, as op-geth does), and the anvil/evm control methods that would fork this node off the chain
 *   are refused;
 * - `safe` / `finalized` block parameters mean the rollup node's heads (`blockTags.ts`), and those two
 *   blocks are kept once read (by hash);
 * - calls (and `debug_traceCall`) charge no L1 fee ({@link withoutL1Charge}, {@link createAccessList});
 * - raw deposits are encoded here, as anvil crashes on them ({@link rawTransaction});
 * - transactions accepted but not yet in a block are answered as pending ({@link RecentTransactions});
 * - receipts carry the OP fee fields ({@link ReceiptFields});
 * - WebSocket sessions get `eth_subscribe` / `eth_unsubscribe` ({@link Subscriptions});
 * - `devnet_freezeHead` / `devnet_unfreezeHead` make it answer as a stuck op-geth ({@link HeadFreeze}).
 */
import type { Address, Hex } from 'viem'
import type { RollupNode } from '../node.js'
import { BoundedCache } from '../../shared/boundedCache.js'
import { RpcError, rpcFail, type RpcClient, type RpcHandler, type RpcSession } from '../../shared/jsonrpc.js'
import { resolveBlockTags } from './blockTags.js'
import { createAccessList, isObject, withoutL1Charge } from './calls.js'
import { HeadFreeze } from './freeze.js'
import { rawTransaction } from './rawTx.js'
import { ReceiptFields } from './receipts.js'
import { RecentTransactions } from './recentTxs.js'
import { Subscriptions } from './subscriptions.js'
import { sequencerTarget } from './sequencerTarget.js'

const BLOCKED = /^(anvil_|evm_|hardhat_|miner_|debug_setHead|eth_sendTransaction$|eth_sendUnsignedTransaction$)/

export interface L2Rpc {
  /** Methods answered here (HTTP and WebSocket). */
  methods: Record<string, RpcHandler>
  /** Every other method: refused if it controls the engine, else passed to anvil with tags resolved. */
  fallback: (method: string, params: unknown[]) => Promise<unknown>
  /** Per-WebSocket-session methods (`eth_subscribe`, `eth_unsubscribe`). */
  websocket: (session: RpcSession) => Record<string, RpcHandler>
  /** Feed of engine head moves for the subscriptions (wire to `Engine.onHeadChange`). */
  subscriptions: Subscriptions
}

/** The L2 RPC of `node`. */
export function l2Rpc(node: RollupNode): L2Rpc {
  // The engine's client at the time of each call: a cold start (`Engine.restartCold`) replaces anvil.
  const engine: RpcClient = {
    get url() {
      return node.engine.rpc.url
    },
    call: (method, params, timeoutMs) => node.engine.rpc.call(method, params, timeoutMs),
  }
  const seq = sequencerTarget(node.conf.sequencerHttp, node.conf.sequencerRollupHttp)
  const forwardToSequencer = async (method: string, params: unknown[]) => {
    const client = await seq!.client()
    try {
      return await client.call(method, params)
    } catch (err) {
      if (!(err instanceof RpcError)) seq!.invalidate()
      throw err
    }
  }
  const receipts = new ReceiptFields(engine)
  const subscriptions = new Subscriptions(engine, (err) => node.log.warn('subscription update failed', { err: err.message }))
  const freeze = new HeadFreeze()
  const tags = (method: string, params: unknown[]) => freeze.tags(method, params, { safe: node.safe.number, finalized: node.finalized.number })
  const forward = (method: string) => async (params: unknown[]) => engine.call(method, tags(method, params))
  const recent = new RecentTransactions(Math.max(10_000, 10_000 * node.cfg.block_time))
  const notifications: RpcHandler = () => rpcFail(-32601, 'notifications not supported')
  const heads = freeze.methods(engine, () => ({ latest: node.unsafe.number, safe: node.safe.number, finalized: node.finalized.number }))
  const blocks = new BoundedCache<string, unknown>(16)
  const methods: Record<string, RpcHandler> = {
    eth_sendRawTransaction: async ([raw]) => {
      if (typeof raw !== 'string' || !raw.startsWith('0x')) rpcFail(-32602, 'expected a raw transaction (hex)')
      let hash: unknown
      if (node.sequencer.active || !seq) {
        if (!node.conf.sequencer.enabled) rpcFail(-32000, 'this node neither sequences nor knows a sequencer to forward to')
        hash = await node.sequencer.submit(raw as Hex)
      } else {
        // A standby keeps a copy (op-geth keeps what it forwards in its pool) to include it if it takes
        // over; kept even when the sequencer already has it from another path (proxyd's multicall).
        if (node.conf.sequencer.enabled) await node.sequencer.retain(raw as Hex).catch((err: Error) => node.log.warn('cannot keep a forwarded tx', { err: err.message }))
        hash = await forwardToSequencer('eth_sendRawTransaction', [raw])
      }
      recent.add(raw as Hex)
      void subscriptions.pendingTransaction(raw as Hex)
      return hash
    },
    eth_getTransactionCount: async ([address, tag]) => {
      if (tag === 'pending') {
        if (node.sequencer.active || !seq) return `0x${(await node.sequencer.pendingNonce(address as Address)).toString(16)}`
        return forwardToSequencer('eth_getTransactionCount', [address, 'pending'])
      }
      return forward('eth_getTransactionCount')([address, tag ?? 'latest'])
    },
    // op-geth fills the nonce from its pool (as `eth_getTransactionCount(…, "pending")`); anvil's own
    // answer would ignore the sequencer's pool, and viem (2.57) prepares every transaction with this call:
    // a client then signed a nonce a waiting tx held ("nonce too low: next nonce 1, tx nonce 0").
    eth_fillTransaction: async ([tx, ...rest]) => {
      if (!isObject(tx)) return engine.call('eth_fillTransaction', [tx, ...rest])
      const filled: Record<string, unknown> = { ...tx }
      if (filled.nonce === undefined && typeof filled.from === 'string') filled.nonce = await methods.eth_getTransactionCount!([filled.from, 'pending'])
      if (filled.gas === undefined) filled.gas = await methods.eth_estimateGas!([{ ...tx, nonce: undefined }])
      return engine.call('eth_fillTransaction', [filled, ...rest])
    },
    eth_call: async (params) => engine.call('eth_call', await withoutL1Charge(engine, tags('eth_call', params))),
    eth_estimateGas: async (params) => engine.call('eth_estimateGas', await withoutL1Charge(engine, tags('eth_estimateGas', params))),
    eth_createAccessList: (params) => createAccessList(engine, tags('eth_createAccessList', params)),
    eth_getTransactionByHash: async (params) => (await engine.call('eth_getTransactionByHash', params)) ?? recent.pending(params[0]),
    eth_getTransactionReceipt: (params) => receipts.lookup(() => engine.call('eth_getTransactionReceipt', params)),
    eth_getBlockReceipts: (params) => receipts.lookup(() => forward('eth_getBlockReceipts')(params)),
    debug_traceCall: async (params) => {
      const [tx, block = 'latest', options] = tags('debug_traceCall', params)
      const opts = (options && typeof options === 'object' ? options : {}) as { stateOverrides?: unknown }
      const [, , overrides] = await withoutL1Charge(engine, [tx, block, opts.stateOverrides])
      return engine.call('debug_traceCall', [tx, block, overrides ? { ...opts, stateOverrides: overrides } : opts])
    },
    eth_getRawTransactionByHash: ([hash]) => rawTransaction(engine, 'eth_getRawTransactionByHash', hash),
    debug_getRawTransaction: ([hash]) => rawTransaction(engine, 'debug_getRawTransaction', hash),
    eth_subscribe: notifications,
    eth_unsubscribe: notifications,
    ...heads,
    // The safe and finalized blocks by the hash of the node's heads, kept once read: proxyd's consensus poller
    // asks every backend for both several times a second, and they change far less often.
    eth_getBlockByNumber: async (params) => {
      const [tag, full] = params
      const ref = freeze.heads ? undefined : tag === 'safe' ? node.safe : tag === 'finalized' ? node.finalized : undefined
      const block = ref && (await blocks.get(`${ref.hash}/${full === true}`, () => engine.call('eth_getBlockByHash', [ref.hash, full === true])))
      return block ?? heads.eth_getBlockByNumber!(params)
    },
  }
  const fallback = async (method: string, params: unknown[]) => {
    if (BLOCKED.test(method)) {
      rpcFail(-32601, `${method} is not available on an L2 node's RPC: the rollup node drives this execution client (sign transactions locally and use eth_sendRawTransaction)`)
    }
    return forward(method)(params)
  }
  return { methods, fallback, websocket: (session) => subscriptions.methods(session), subscriptions }
}

/**
 * op-geth's OP receipt fields on anvil receipts. Every non-deposit receipt gains `l1GasPrice`,
 * `l1GasUsed`, `l1Fee`, `l1BaseFeeScalar`, `l1BlobBaseFee` and `l1BlobBaseFeeScalar` (hex quantities),
 * computed from the L1 attributes of the receipt's block (its L1-info deposit) and the signed
 * transaction's bytes by the Fjord cost function: measured, anvil (op-revm) charges the Fjord fee
 * whatever the topology's forks, and these fields must equal what it charged (the L1FeeVault credit).
 */
import type { Hex } from 'viem'
import { DEPOSIT_TX_TYPE } from '../../../protocol/constants.js'
import { l1FeeFjord, type L1FeeParams } from '../../../protocol/l1Fee.js'
import { decodeL1Info } from '../../../protocol/l1Info.js'
import { BoundedCache } from '../../shared/boundedCache.js'
import type { RpcClient } from '../../shared/jsonrpc.js'

type Receipt = Record<string, unknown> & { type?: Hex; transactionHash: Hex; blockHash: Hex }

const hex = (v: bigint | number) => `0x${v.toString(16)}`
const CACHE_SIZE = 256

/** A receipt's block is no longer the engine's: an unsafe reorg replaced it between the two calls. */
class BlockGone extends Error {}

/** How often a receipt lookup starts over when a reorg moves its block away mid-lookup. */
const ATTEMPTS = 3

/** Adds the OP fields to receipts; caches each block's L1 attributes by hash. */
export class ReceiptFields {
  readonly #params = new BoundedCache<Hex, L1FeeParams>(CACHE_SIZE)

  constructor(private readonly engine: RpcClient) {}

  #l1Params(blockHash: Hex): Promise<L1FeeParams> {
    return this.#params.get(blockHash, async () => {
      const block = await this.engine.call<{ transactions: Array<{ input: Hex; type: Hex }> } | null>('eth_getBlockByHash', [blockHash, true])
      if (!block) throw new BlockGone(`block ${blockHash} is gone`)
      const first = block.transactions[0]
      if (!first || Number(first.type) !== DEPOSIT_TX_TYPE) throw new Error(`block ${blockHash} has no L1-info deposit`)
      return decodeL1Info(first.input)
    })
  }

  /**
   * `eth_getTransactionReceipt` (one receipt or `null`) or `eth_getBlockReceipts` (a list or `null`) from
   * `fetch`, with the OP fields. If a reorg takes the receipt's block away before its L1 attributes are
   * read, the lookup starts over, as op-geth answers from one consistent chain: the transaction is in
   * its new block by then, or back in the pool (`null`, as for any pending transaction).
   */
  async lookup<T>(fetch: () => Promise<T>): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      const found = await fetch()
      try {
        return Array.isArray(found) ? ((await Promise.all(found.map((r) => this.add(r)))) as T) : await this.add(found)
      } catch (err) {
        if (!(err instanceof BlockGone)) throw err
        if (attempt === ATTEMPTS) return null
      }
    }
  }

  /**
   * The receipt with the OP fields (deposits and `null` without). `type` is lower-cased as op-geth
   * writes it (anvil answers `0x7E` for deposits in receipts). Throws {@link BlockGone} if its block or the transaction is.
   */
  async add<T>(receipt: T): Promise<T> {
    const r = receipt as Receipt | null
    if (!r || typeof r !== 'object') return receipt
    if (typeof r.type === 'string') r.type = r.type.toLowerCase() as Hex
    if (Number(r.type) === DEPOSIT_TX_TYPE || !r.blockHash) return receipt
    const [p, raw] = await Promise.all([this.#l1Params(r.blockHash), this.engine.call<Hex | null>('eth_getRawTransactionByHash', [r.transactionHash])])
    // Gone between the two calls: a reorg took the transaction out of the chain (back in the pool or in a new block).
    if (!raw) throw new BlockGone(`transaction ${r.transactionHash} is gone`)
    const { fee, gasUsed } = l1FeeFjord(raw, p)
    return {
      ...r,
      l1GasPrice: hex(p.baseFee),
      l1GasUsed: hex(gasUsed),
      l1Fee: hex(fee),
      l1BaseFeeScalar: hex(p.baseFeeScalar),
      l1BlobBaseFee: hex(p.blobBaseFee),
      l1BlobBaseFeeScalar: hex(p.blobBaseFeeScalar),
    } as T
  }
}

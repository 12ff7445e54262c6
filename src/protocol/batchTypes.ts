/**
 * Batch shapes shared by the batch codecs and the batch-queue rules (a leaf module: it imports
 * nothing from the protocol layer, so the codecs and the rules never import each other).
 */
import type { Hex } from 'viem'

/** Batch type byte of singular batches. */
export const SINGULAR_BATCH_TYPE = 0
/** Batch type byte of span batches (Delta+). */
export const SPAN_BATCH_TYPE = 1

/** One L2 block's worth of sequencer data (batch type 0). */
export interface SingularBatch {
  /** Hash of the previous L2 block. */
  parentHash: Hex
  /** L1 origin number. */
  epochNumber: bigint
  /** L1 origin hash. */
  epochHash: Hex
  /** L2 block timestamp. */
  timestamp: bigint
  /** EIP-2718 encoded sequencer transactions (never deposits). */
  transactions: Hex[]
}

/** A span batch (type 1) as on the wire, with its transactions as signed EIP-2718 bytes. */
export interface RawSpanBatch {
  /** First block timestamp minus L2 genesis time. */
  relTimestamp: bigint
  /** L1 origin number of the last block. */
  l1OriginNum: bigint
  /** First 20 bytes of the first block's parent hash. */
  parentCheck: Hex
  /** First 20 bytes of the last block's L1 origin hash. */
  l1OriginCheck: Hex
  blockCount: number
  /** Per block: whether its L1 origin advanced by one (block 0: whether it starts an epoch). */
  originBits: boolean[]
  /** Per block: number of transactions. */
  blockTxCounts: number[]
  /** All transactions in block order (split with `blockTxCounts`). */
  txs: Hex[]
}

/** A decoded batch of either kind. */
export type DecodedBatch = { type: 0; batch: SingularBatch } | { type: 1; span: RawSpanBatch }

/** Batch-queue verdict plus, for anything but `accept`, why. */
export interface BatchValidity {
  result: 'drop' | 'accept' | 'undecided' | 'future'
  reason?: string
}

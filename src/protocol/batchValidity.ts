/**
 * Pre-Holocene batch-queue validity of a singular batch ("Batch Queue" rules of the derivation
 * spec, in spec order).
 */
import type { Hex } from 'viem'
import type { BatchValidity, SingularBatch } from './batchTypes.js'
import { DEPOSIT_TX_TYPE } from './constants.js'
import { isForkActive, maxSequencerDrift } from './rollupConfig.js'
import type { L1BlockRef, L2BlockRef, RollupConfig } from './types.js'

export type { BatchValidity } from './batchTypes.js'

/** Inputs of {@link checkSingularBatch}. */
export interface CheckSingularBatchArgs {
  cfg: RollupConfig
  /** `[0]` = the safe head's L1 origin (the current epoch), then the following L1 blocks. */
  l1Blocks: L1BlockRef[]
  safeHead: L2BlockRef
  batch: SingularBatch
  /** L1 block in which the batch was fully derived. */
  inclusionBlock: L1BlockRef
}

const drop = (reason: string): BatchValidity => ({ result: 'drop', reason })
const undecided = (reason: string): BatchValidity => ({ result: 'undecided', reason })

function txTypeAllowed(first: number, isthmus: boolean): boolean {
  if (first >= 0xc0) return true // legacy: an RLP list
  if (first === 1 || first === 2) return true
  return isthmus && first === 4
}

/**
 * Why a block's batch transactions are invalid (empty, a deposit, or a type other than legacy/1/2,
 * plus 4 from Isthmus), or undefined if they are all fine.
 */
export function badTransaction(cfg: RollupConfig, timestamp: bigint, txs: Hex[]): string | undefined {
  const isthmus = isForkActive(cfg, 'isthmus', Number(timestamp))
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]
    if (tx.length <= 2) return `transaction ${i} is empty`
    const first = Number.parseInt(tx.slice(2, 4), 16)
    if (first === DEPOSIT_TX_TYPE) return `transaction ${i} is a deposit`
    if (!txTypeAllowed(first, isthmus)) return `transaction ${i} has unsupported type ${first}`
  }
  return undefined
}

/**
 * Validates a singular batch against the safe head and known L1 blocks (pre-Holocene):
 * `future` if its timestamp is ahead of `safe + block_time`, `drop` if older, wrong parent,
 * included after the sequencing window, epoch not current/next or non-canonical, timestamp before
 * its origin, beyond the max sequencer drift (except the empty-batch case), or carrying empty,
 * deposit or unsupported-type transactions (types other than legacy/1/2, plus 4 from Isthmus);
 * `undecided` while the next L1 block is needed but unknown.
 */
export function checkSingularBatch(args: CheckSingularBatchArgs): BatchValidity {
  const { cfg, l1Blocks, safeHead, batch, inclusionBlock } = args
  if (l1Blocks.length === 0) return undecided('no L1 origin known')
  const epoch = l1Blocks[0]
  const nextTimestamp = BigInt(safeHead.timestamp) + BigInt(cfg.block_time)
  if (batch.timestamp > nextTimestamp) {
    return { result: 'future', reason: `batch timestamp ${batch.timestamp} is after next timestamp ${nextTimestamp}` }
  }
  if (batch.timestamp < nextTimestamp) return drop(`batch timestamp ${batch.timestamp} is before next timestamp ${nextTimestamp}`)
  if (batch.parentHash.toLowerCase() !== safeHead.hash.toLowerCase()) {
    return drop(`parent hash ${batch.parentHash} does not match safe head ${safeHead.hash}`)
  }
  if (batch.epochNumber + BigInt(cfg.seq_window_size) < BigInt(inclusionBlock.number)) {
    return drop(`batch included too late: epoch ${batch.epochNumber} + seq window ${cfg.seq_window_size} < inclusion block ${inclusionBlock.number}`)
  }
  let origin: L1BlockRef
  const epochNum = BigInt(epoch.number)
  if (batch.epochNumber < epochNum) return drop(`epoch ${batch.epochNumber} is older than safe head origin ${epoch.number}`)
  if (batch.epochNumber === epochNum) {
    origin = epoch
  } else if (batch.epochNumber === epochNum + 1n) {
    if (l1Blocks.length < 2) return undecided('batch advances the epoch but the next L1 block is unknown')
    origin = l1Blocks[1]
  } else {
    return drop(`epoch ${batch.epochNumber} skips ahead of safe head origin ${epoch.number}`)
  }
  if (batch.epochHash.toLowerCase() !== origin.hash.toLowerCase()) {
    return drop(`epoch hash ${batch.epochHash} is not the canonical L1 block ${origin.number} (${origin.hash})`)
  }
  if (batch.timestamp < BigInt(origin.timestamp)) {
    return drop(`batch timestamp ${batch.timestamp} is before its L1 origin time ${origin.timestamp}`)
  }
  const maxTime = BigInt(origin.timestamp) + BigInt(maxSequencerDrift(cfg, origin.timestamp))
  if (batch.timestamp > maxTime) {
    if (batch.transactions.length > 0) {
      return drop(`batch timestamp ${batch.timestamp} exceeds max sequencer drift (${maxTime}) and it has transactions`)
    }
    if (epoch.number === origin.number) {
      if (l1Blocks.length < 2) return undecided('empty batch beyond sequencer drift: next L1 block needed')
      if (batch.timestamp >= BigInt(l1Blocks[1].timestamp)) {
        return drop('empty batch beyond sequencer drift could have adopted the next L1 origin')
      }
    }
  }
  const bad = badTransaction(cfg, batch.timestamp, batch.transactions)
  if (bad) return drop(bad)
  return { result: 'accept' }
}

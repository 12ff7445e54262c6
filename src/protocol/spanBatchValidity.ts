/**
 * Pre-Holocene batch-queue validity of a span batch (Delta span-batch spec, "Span batch
 * validation"; op-node `checkSpanBatch`), in spec order: the prefix rules (origin, Delta, timestamps,
 * parent, sequencing window, L1 origin check), then each new block (origin time, sequencer drift,
 * transactions), then the blocks that overlap the safe chain, which must match it.
 */
import { keccak256, type Hex } from 'viem'
import type { BatchValidity, RawSpanBatch } from './batchTypes.js'
import { badTransaction } from './batchValidity.js'
import { isForkActive, maxSequencerDrift } from './rollupConfig.js'
import { spanBatchElements, type SpanBatchElement } from './spanBatch.js'
import type { L1BlockRef, L2BlockRef, RollupConfig } from './types.js'

/** A block of the safe chain, for the overlap rules. */
export interface SafeChainBlock {
  ref: L2BlockRef
  /** Hashes of its sequencer (non-deposit) transactions, in block order. */
  txHashes: Hex[]
}

/** Inputs of {@link checkSpanBatch}. */
export interface CheckSpanBatchArgs {
  cfg: RollupConfig
  /** `[0]` = the safe head's L1 origin, then the following L1 blocks known to derivation. */
  l1Blocks: L1BlockRef[]
  safeHead: L2BlockRef
  span: RawSpanBatch
  /** L1 block in which the batch was fully derived. */
  inclusionBlock: L1BlockRef
  /** The safe chain's block `number` (at or below the safe head), or null if unavailable now. */
  l2Block(number: number): Promise<SafeChainBlock | null>
}

const drop = (reason: string): BatchValidity => ({ result: 'drop', reason })
const undecided = (reason: string): BatchValidity => ({ result: 'undecided', reason })
const prefix20 = (hash: string) => hash.slice(0, 42).toLowerCase()

/** The L2 block a span batch builds on: the safe head, or the safe block before its first block when it overlaps. */
async function parentOf(args: CheckSpanBatchArgs, start: bigint): Promise<{ parent?: L2BlockRef; verdict?: BatchValidity }> {
  const { cfg, safeHead } = args
  const nextTimestamp = BigInt(safeHead.timestamp + cfg.block_time)
  if (start >= nextTimestamp) return { parent: safeHead }
  if (start > BigInt(safeHead.timestamp)) return { verdict: drop(`span start ${start} falls between the safe head time ${safeHead.timestamp} and the next block time`) }
  const behind = BigInt(safeHead.timestamp) - start
  if (behind % BigInt(cfg.block_time) !== 0n) return { verdict: drop(`span start ${start} is not aligned with the safe chain's block times`) }
  const parentNum = safeHead.number - Number(behind / BigInt(cfg.block_time)) - 1
  if (parentNum < cfg.genesis.l2.number) return { verdict: drop(`span start ${start} is before L2 genesis`) }
  const parent = await args.l2Block(parentNum)
  if (!parent) return { verdict: undecided(`safe block ${parentNum} (parent of the span) is unavailable`) }
  return { parent: parent.ref }
}

/** Prefix rules; returns the parent on accept. */
async function checkPrefix(args: CheckSpanBatchArgs, blocks: SpanBatchElement[]): Promise<{ parent?: L2BlockRef; verdict?: BatchValidity }> {
  const { cfg, l1Blocks, safeHead, span, inclusionBlock } = args
  if (l1Blocks.length === 0) return { verdict: undecided('no L1 origin known') }
  const epoch = l1Blocks[0]
  const startEpoch = blocks[0].epochNumber
  let batchOrigin = epoch
  if (startEpoch === BigInt(epoch.number) + 1n) {
    if (l1Blocks.length < 2) return { verdict: undecided('span advances the epoch but the next L1 block is unknown') }
    batchOrigin = l1Blocks[1]
  }
  if (!isForkActive(cfg, 'delta', batchOrigin.timestamp)) {
    return { verdict: drop(`span batch with L1 origin ${batchOrigin.number} (time ${batchOrigin.timestamp}) before Delta`) }
  }
  const nextTimestamp = BigInt(safeHead.timestamp + cfg.block_time)
  const start = blocks[0].timestamp
  if (start > nextTimestamp) return { verdict: { result: 'future', reason: `span start ${start} is after next timestamp ${nextTimestamp}` } }
  const end = blocks[blocks.length - 1].timestamp
  if (end < nextTimestamp) return { verdict: drop(`span ends at ${end}, before next timestamp ${nextTimestamp}: no new blocks`) }
  const { parent, verdict } = await parentOf(args, start)
  if (!parent) return { verdict }
  if (prefix20(span.parentCheck) !== prefix20(parent.hash)) {
    return { verdict: drop(`parent check ${span.parentCheck} does not match block ${parent.number} (${parent.hash})`) }
  }
  if (startEpoch + BigInt(cfg.seq_window_size) < BigInt(inclusionBlock.number)) {
    return { verdict: drop(`span included too late: epoch ${startEpoch} + seq window ${cfg.seq_window_size} < inclusion block ${inclusionBlock.number}`) }
  }
  if (startEpoch > BigInt(parent.l1origin.number) + 1n) {
    return { verdict: drop(`start epoch ${startEpoch} skips ahead of the parent's origin ${parent.l1origin.number}`) }
  }
  const endEpoch = Number(blocks[blocks.length - 1].epochNumber)
  const endOrigin = l1Blocks.find((b) => b.number === endEpoch)
  if (!endOrigin) return { verdict: undecided(`L1 block ${endEpoch} (origin of the last block) is not known yet`) }
  if (prefix20(span.l1OriginCheck) !== prefix20(endOrigin.hash)) {
    return { verdict: drop(`L1 origin check ${span.l1OriginCheck} is not the canonical L1 block ${endEpoch} (${endOrigin.hash})`) }
  }
  if (startEpoch < BigInt(parent.l1origin.number)) {
    return { verdict: drop(`start epoch ${startEpoch} is older than the parent's origin ${parent.l1origin.number}`) }
  }
  return { parent }
}

/** Rules for each block after the safe head: origin time, sequencer drift, transactions. */
function checkNewBlocks(args: CheckSpanBatchArgs, blocks: SpanBatchElement[], parent: L2BlockRef): BatchValidity | undefined {
  const { cfg, l1Blocks, safeHead } = args
  let originIdx = 0
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]
    if (b.timestamp <= BigInt(safeHead.timestamp)) continue
    const j = l1Blocks.findIndex((l1, k) => k >= originIdx && BigInt(l1.number) === b.epochNumber)
    if (j < 0) return drop(`block ${i} origin ${b.epochNumber} is not among the L1 blocks after the safe head's origin`)
    originIdx = j
    const origin = l1Blocks[j]
    const originAdvanced = i === 0 ? b.epochNumber === BigInt(parent.l1origin.number) + 1n : b.epochNumber > blocks[i - 1].epochNumber
    if (b.timestamp < BigInt(origin.timestamp)) return drop(`block ${i} timestamp ${b.timestamp} is before its L1 origin time ${origin.timestamp}`)
    const maxTime = BigInt(origin.timestamp) + BigInt(maxSequencerDrift(cfg, origin.timestamp))
    if (b.timestamp > maxTime) {
      if (b.transactions.length > 0) return drop(`block ${i} timestamp ${b.timestamp} exceeds max sequencer drift (${maxTime}) and it has transactions`)
      if (!originAdvanced) {
        if (j + 1 >= l1Blocks.length) return undecided(`empty block ${i} beyond sequencer drift: next L1 block needed`)
        if (b.timestamp >= BigInt(l1Blocks[j + 1].timestamp)) return drop(`empty block ${i} beyond sequencer drift could have adopted the next L1 origin`)
      }
    }
    const bad = badTransaction(cfg, b.timestamp, b.transactions)
    if (bad) return drop(`block ${i}: ${bad}`)
  }
  return undefined
}

/** Blocks at or below the safe head must equal the safe chain: same sequencer txs, same L1 origin. */
async function checkOverlap(args: CheckSpanBatchArgs, blocks: SpanBatchElement[], parent: L2BlockRef): Promise<BatchValidity | undefined> {
  for (let i = 0; i < args.safeHead.number - parent.number; i++) {
    const number = parent.number + i + 1
    const safe = await args.l2Block(number)
    if (!safe) return undecided(`safe block ${number} (overlapped by the span) is unavailable`)
    const txs = blocks[i].transactions
    if (txs.length !== safe.txHashes.length) return drop(`overlapped block ${number} has ${safe.txHashes.length} sequencer txs, the span ${txs.length}`)
    for (let k = 0; k < txs.length; k++) {
      if (keccak256(txs[k]) !== safe.txHashes[k].toLowerCase()) return drop(`overlapped block ${number} tx ${k} differs from the safe chain`)
    }
    if (BigInt(safe.ref.l1origin.number) !== blocks[i].epochNumber) {
      return drop(`overlapped block ${number} has L1 origin ${safe.ref.l1origin.number}, the span ${blocks[i].epochNumber}`)
    }
  }
  return undefined
}

/**
 * Validates a span batch against the safe head (pre-Holocene): `future` if it starts after the next
 * block, `undecided` while an L1 block or a safe L2 block it needs is unknown, `drop` when a rule
 * fails, else `accept`.
 */
export async function checkSpanBatch(args: CheckSpanBatchArgs): Promise<BatchValidity> {
  const blocks = spanBatchElements(args.span, { l2GenesisTime: args.cfg.genesis.l2_time, blockTime: args.cfg.block_time })
  const { parent, verdict } = await checkPrefix(args, blocks)
  if (!parent) return verdict!
  return checkNewBlocks(args, blocks, parent) ?? (await checkOverlap(args, blocks, parent)) ?? { result: 'accept' }
}

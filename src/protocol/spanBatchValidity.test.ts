import { keccak256, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import type { BatchValidity, SingularBatch } from './batchTypes.js'
import { singularBatchesToSpan } from './spanBatch.js'
import { checkSpanBatch, type CheckSpanBatchArgs, type SafeChainBlock } from './spanBatchValidity.js'
import { testRollupConfig } from './testConfig.js'
import type { L1BlockRef, L2BlockRef, RollupConfig } from './types.js'

const cfg = (o: Partial<RollupConfig> = {}): RollupConfig => testRollupConfig({ seq_window_size: 100, delta_time: 0, ...o }, 0)
const TIMING = { l2GenesisTime: 0, blockTime: 2 }

/** A hash whose first 20 bytes (what span checks compare) tell `n` apart. */
const h = (n: number): Hex => `0x${n.toString(16).padStart(8, '0')}${'00'.repeat(28)}`
const l1 = (number: number, timestamp: number): L1BlockRef => ({ hash: h(0x1000 + number), number, parentHash: h(0x1000 + number - 1), timestamp })
const L1: Record<number, L1BlockRef> = { 9: l1(9, 988), 10: l1(10, 1000), 11: l1(11, 1012), 12: l1(12, 1024) }
const TX_A: Hex = '0x02f86b01'
const TX_B: Hex = '0xf86b01'

/** The safe chain: blocks 47..50 two seconds apart, 48..50 on origin 10; 50 is the safe head. */
const l2ref = (number: number, origin: number, seq: number): L2BlockRef => ({
  hash: h(0xb000 + number), number, parentHash: h(0xb000 + number - 1), timestamp: 1004 - 2 * (50 - number),
  l1origin: { hash: L1[origin].hash, number: origin }, sequenceNumber: seq,
})
const SAFE_CHAIN: Record<number, SafeChainBlock> = {
  47: { ref: l2ref(47, 9, 0), txHashes: [] },
  48: { ref: l2ref(48, 10, 0), txHashes: [keccak256(TX_A)] },
  49: { ref: l2ref(49, 10, 1), txHashes: [] },
  50: { ref: l2ref(50, 10, 2), txHashes: [keccak256(TX_B)] },
}
const SAFE = SAFE_CHAIN[50].ref

/** Consecutive blocks from `start`, each `[origin, txs]`; the parent is the safe block before `start`. */
function span(start: number, blocks: [number, Hex[]][], firstSeq = 3) {
  const parent = l2ref(50 - (1004 - start) / 2 - 1, 10, 0)
  const batches: SingularBatch[] = blocks.map(([origin, transactions], i) => ({
    parentHash: parent.hash, epochNumber: BigInt(origin), epochHash: L1[origin].hash, timestamp: BigInt(start + 2 * i), transactions,
  }))
  return singularBatchesToSpan(batches, firstSeq, TIMING)
}
const GOOD = span(1006, [[10, [TX_A]], [10, []], [10, []], [11, [TX_B]]], 3)

const args = (o: Partial<CheckSpanBatchArgs> = {}): CheckSpanBatchArgs => ({
  cfg: cfg(),
  l1Blocks: [L1[10], L1[11], L1[12]],
  safeHead: SAFE,
  span: GOOD,
  inclusionBlock: l1(20, 1240),
  l2Block: async (n) => SAFE_CHAIN[n] ?? null,
  ...o,
})
const check = (o: Partial<CheckSpanBatchArgs> = {}) => checkSpanBatch(args(o))
const expectVerdict = async (o: Partial<CheckSpanBatchArgs>, result: BatchValidity['result'], reason?: RegExp) => {
  const v = await check(o)
  expect(v.result, v.reason).toBe(result)
  if (reason) expect(v.reason).toMatch(reason)
}

describe('checkSpanBatch', () => {
  test('default: accept', async () => {
    expect(await check()).toEqual({ result: 'accept' })
  })

  test('behavior: no L1 blocks -> undecided', async () => {
    await expectVerdict({ l1Blocks: [] }, 'undecided', /no L1 origin/)
  })

  test('behavior: first block advances the epoch but the next L1 block is unknown -> undecided', async () => {
    await expectVerdict({ l1Blocks: [L1[10]], span: span(1006, [[11, []]], 0) }, 'undecided', /next L1 block is unknown/)
  })

  test('behavior: L1 origin before Delta -> drop', async () => {
    await expectVerdict({ cfg: cfg({ delta_time: 2000 }) }, 'drop', /before Delta/)
  })

  test('behavior: starts after the next block -> future', async () => {
    await expectVerdict({ span: span(1008, [[10, []]]) }, 'future')
  })

  test('behavior: every block already safe -> drop', async () => {
    await expectVerdict({ span: span(1002, [[10, []], [10, [TX_B]]], 1) }, 'drop', /no new blocks/)
  })

  test('behavior: start between the safe head and the next block time -> drop', async () => {
    await expectVerdict({ span: { ...GOOD, relTimestamp: 1005n } }, 'drop', /falls between/)
  })

  test('behavior: start not aligned with the safe chain -> drop', async () => {
    await expectVerdict({ span: { ...GOOD, relTimestamp: 1001n, blockCount: 5, originBits: [false, false, false, false, true], blockTxCounts: [0, 1, 0, 0, 1] } }, 'drop', /not aligned/)
  })

  test('behavior: overlap reaching back before L2 genesis -> drop', async () => {
    const blocks = 53 // timestamps 902..1006: the parent would be block -2
    await expectVerdict({ span: { ...GOOD, relTimestamp: 902n, blockCount: blocks, originBits: new Array(blocks).fill(false), blockTxCounts: new Array(blocks).fill(0), txs: [] } }, 'drop', /before L2 genesis/)
  })

  test('behavior: parent check mismatch -> drop', async () => {
    await expectVerdict({ span: { ...GOOD, parentCheck: `0x${'ee'.repeat(20)}` } }, 'drop', /parent check/)
  })

  test('behavior: included after the sequencing window -> drop', async () => {
    await expectVerdict({ inclusionBlock: l1(111, 2320) }, 'drop', /included too late/)
  })

  test('behavior: start epoch skips ahead of the parent origin -> drop', async () => {
    await expectVerdict({ span: span(1006, [[12, []]], 0) }, 'drop', /skips ahead/)
  })

  test('behavior: last block origin not known yet -> undecided', async () => {
    await expectVerdict({ l1Blocks: [L1[10], L1[11]], span: span(1006, [[11, []], [12, []]], 0) }, 'undecided', /L1 block 12 .* not known/)
  })

  test('behavior: L1 origin check mismatch -> drop', async () => {
    await expectVerdict({ span: { ...GOOD, l1OriginCheck: `0x${'ee'.repeat(20)}` } }, 'drop', /L1 origin check/)
  })

  test('behavior: start epoch older than the parent origin -> drop', async () => {
    await expectVerdict({ l1Blocks: [L1[9], L1[10], L1[11]], span: span(1006, [[9, []], [10, []]], 0) }, 'drop', /older than the parent's origin/)
  })

  test('behavior: block before its L1 origin time -> drop', async () => {
    await expectVerdict({ span: span(1006, [[10, []], [11, []]]) }, 'drop', /block 1 timestamp 1008 is before its L1 origin time 1012/)
  })

  test('behavior: beyond the sequencer drift with transactions -> drop', async () => {
    await expectVerdict({ cfg: cfg({ max_sequencer_drift: 4 }), span: span(1006, [[10, [TX_A]]]) }, 'drop', /max sequencer drift/)
  })

  test('behavior: empty block beyond the drift is allowed until the next origin is due', async () => {
    const drift = cfg({ max_sequencer_drift: 4 })
    await expectVerdict({ cfg: drift, span: span(1006, [[10, []], [10, []], [10, []]]) }, 'accept')
    await expectVerdict({ cfg: drift, span: span(1006, [[10, []], [10, []], [10, []], [10, []]]) }, 'drop', /could have adopted the next L1 origin/)
    await expectVerdict({ cfg: drift, l1Blocks: [L1[10]], span: span(1006, [[10, []]]) }, 'undecided', /next L1 block needed/)
  })

  test('behavior: bad transactions -> drop (empty, deposit, set-code before Isthmus)', async () => {
    await expectVerdict({ span: span(1006, [[10, ['0x']]]) }, 'drop', /block 0: transaction 0 is empty/)
    await expectVerdict({ span: span(1006, [[10, [TX_A, '0x7ef8']]]) }, 'drop', /block 0: transaction 1 is a deposit/)
    await expectVerdict({ span: span(1006, [[10, []], [10, ['0x04f8']]]) }, 'drop', /block 1: transaction 0 has unsupported type 4/)
    await expectVerdict({ cfg: cfg({ isthmus_time: 0 }), span: span(1006, [[10, []], [10, ['0x04f8']]]) }, 'accept')
  })

  test('behavior: overlap with the safe chain is accepted when it matches', async () => {
    await expectVerdict({ span: span(1000, [[10, [TX_A]], [10, []], [10, [TX_B]], [10, []]], 0) }, 'accept')
  })

  test('behavior: overlap that differs from the safe chain -> drop', async () => {
    await expectVerdict({ span: span(1000, [[10, [TX_A]], [10, [TX_A]], [10, [TX_B]], [10, []]], 0) }, 'drop', /block 49 has 0 sequencer txs, the span 1/)
    await expectVerdict({ span: span(1000, [[10, [TX_B]], [10, []], [10, [TX_B]], [10, []]], 0) }, 'drop', /block 48 tx 0 differs/)
    // An L1 block 11 early enough for the span to claim it as block 50's origin.
    const early = l1(11, 1004)
    await expectVerdict({ l1Blocks: [L1[10], early], span: span(1002, [[10, []], [11, [TX_B]], [11, []]], 1) }, 'drop', /block 50 has L1 origin 10, the span 11/)
  })

  test('behavior: overlapped safe blocks unavailable -> undecided', async () => {
    await expectVerdict({ span: span(1002, [[10, []], [10, [TX_B]], [10, []]], 1), l2Block: async (n) => (n === 48 ? SAFE_CHAIN[48] : null) }, 'undecided', /safe block 49 \(overlapped/)
    await expectVerdict({ span: span(1002, [[10, []], [10, [TX_B]], [10, []]], 1), l2Block: async () => null }, 'undecided', /safe block 48 \(parent/)
  })

  test('behavior: new block whose origin is below the safe head origin -> drop', async () => {
    // Parent 47 is on origin 9; the span keeps origin 9 past the safe head (origin 10), then moves to 10.
    const stale = span(1000, [[9, [TX_A]], [9, []], [9, [TX_B]], [9, []], [10, []]], 1)
    await expectVerdict({ span: stale }, 'drop', /block 3 origin 9 is not among the L1 blocks/)
  })
})

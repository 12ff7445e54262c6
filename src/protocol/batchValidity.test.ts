import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import type { SingularBatch } from './batchTypes.js'
import { checkSingularBatch, type CheckSingularBatchArgs } from './batchValidity.js'
import { testRollupConfig } from './testConfig.js'
import type { L1BlockRef, L2BlockRef, RollupConfig } from './types.js'

const cfg = (o: Partial<RollupConfig> = {}): RollupConfig => testRollupConfig({ seq_window_size: 100, ...o }, 0)

const h = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`
const l1 = (number: number, timestamp: number): L1BlockRef => ({ hash: h(0x1000 + number), number, parentHash: h(0x1000 + number - 1), timestamp })
const L1_10 = l1(10, 1000)
const L1_11 = l1(11, 1012)
const SAFE: L2BlockRef = { hash: h(0xbeef), number: 50, parentHash: h(0xbeee), timestamp: 1004, l1origin: { hash: L1_10.hash, number: 10 }, sequenceNumber: 2 }
const LEGACY_TX: Hex = '0xf86b01'
const DYN_TX: Hex = '0x02f86b01'

const good: SingularBatch = { parentHash: SAFE.hash, epochNumber: 10n, epochHash: L1_10.hash, timestamp: 1006n, transactions: [DYN_TX, LEGACY_TX] }
const args = (o: Partial<CheckSingularBatchArgs> = {}, b: Partial<SingularBatch> = {}): CheckSingularBatchArgs => ({
  cfg: cfg(),
  l1Blocks: [L1_10, L1_11],
  safeHead: SAFE,
  batch: { ...good, ...b },
  inclusionBlock: l1(20, 1120),
  ...o,
})
const result = (a: CheckSingularBatchArgs) => checkSingularBatch(a).result

describe('checkSingularBatch', () => {
  test('default: accept', () => {
    expect(checkSingularBatch(args())).toEqual({ result: 'accept' })
  })

  test('behavior: no L1 blocks -> undecided', () => {
    expect(result(args({ l1Blocks: [] }))).toBe('undecided')
  })

  test('behavior: timestamp ahead of next timestamp -> future', () => {
    expect(result(args({}, { timestamp: 1008n }))).toBe('future')
  })

  test('behavior: timestamp behind next timestamp -> drop', () => {
    const r = checkSingularBatch(args({}, { timestamp: 1004n }))
    expect(r.result).toBe('drop')
    expect(r.reason).toMatch(/before next timestamp/)
  })

  test('behavior: parent hash mismatch -> drop', () => {
    expect(checkSingularBatch(args({}, { parentHash: h(1) })).reason).toMatch(/parent hash/)
  })

  test('behavior: included after the sequencing window -> drop', () => {
    expect(result(args({ inclusionBlock: l1(110, 2200) }))).toBe('accept')
    expect(checkSingularBatch(args({ inclusionBlock: l1(111, 2212) })).reason).toMatch(/too late/)
  })

  test('behavior: epoch older than safe head origin -> drop', () => {
    expect(checkSingularBatch(args({}, { epochNumber: 9n })).reason).toMatch(/older/)
  })

  test('behavior: next epoch accepted when known, undecided when not', () => {
    const next = { epochNumber: 11n, epochHash: L1_11.hash, timestamp: 1012n }
    const safe = { ...SAFE, timestamp: 1010 }
    expect(result(args({ safeHead: safe }, next))).toBe('accept')
    expect(result(args({ safeHead: safe, l1Blocks: [L1_10] }, next))).toBe('undecided')
  })

  test('behavior: epoch more than one ahead -> drop', () => {
    expect(checkSingularBatch(args({}, { epochNumber: 12n })).reason).toMatch(/skips ahead/)
  })

  test('behavior: non-canonical epoch hash -> drop', () => {
    expect(checkSingularBatch(args({}, { epochHash: h(5) })).reason).toMatch(/canonical/)
  })

  test('behavior: timestamp before origin time -> drop', () => {
    const safe = { ...SAFE, timestamp: 1008 }
    expect(checkSingularBatch(args({ safeHead: safe }, { epochNumber: 11n, epochHash: L1_11.hash, timestamp: 1010n })).reason).toMatch(/before its L1 origin/)
  })

  describe('max sequencer drift', () => {
    const safe = { ...SAFE, timestamp: 1600 }
    const late = { timestamp: 1602n } // origin 10 at 1000 + drift 600 = 1600
    const far = [l1(10, 1000), l1(11, 1700)]

    test('behavior: batch with transactions beyond drift -> drop', () => {
      expect(checkSingularBatch(args({ safeHead: safe, l1Blocks: far }, late)).reason).toMatch(/sequencer drift/)
    })

    test('behavior: empty batch beyond drift accepted while next origin is in the future', () => {
      expect(result(args({ safeHead: safe, l1Blocks: far }, { ...late, transactions: [] }))).toBe('accept')
    })

    test('behavior: empty batch beyond drift dropped when next origin could be adopted', () => {
      expect(result(args({ safeHead: safe, l1Blocks: [l1(10, 1000), l1(11, 1602)] }, { ...late, transactions: [] }))).toBe('drop')
    })

    test('behavior: empty batch beyond drift undecided without next origin', () => {
      expect(result(args({ safeHead: safe, l1Blocks: [l1(10, 1000)] }, { ...late, transactions: [] }))).toBe('undecided')
    })

    test('behavior: Fjord raises the drift to 1800', () => {
      expect(result(args({ cfg: cfg({ fjord_time: 0 }), safeHead: safe, l1Blocks: far }, late))).toBe('accept')
    })
  })

  test('behavior: empty transaction -> drop', () => {
    expect(checkSingularBatch(args({}, { transactions: ['0x'] })).reason).toMatch(/empty/)
  })

  test('behavior: deposit transaction -> drop', () => {
    expect(checkSingularBatch(args({}, { transactions: ['0x7ef8'] })).reason).toMatch(/deposit/)
  })

  test('behavior: type 4 dropped before Isthmus, accepted after', () => {
    expect(checkSingularBatch(args({}, { transactions: ['0x04f8'] })).reason).toMatch(/unsupported type 4/)
    expect(result(args({ cfg: cfg({ isthmus_time: 0 }) }, { transactions: ['0x04f8'] }))).toBe('accept')
  })

  test('behavior: blob transaction (type 3) -> drop', () => {
    expect(result(args({}, { transactions: ['0x03f8'] }))).toBe('drop')
  })
})

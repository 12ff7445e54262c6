import { keccak256, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import type { SingularBatch } from '../../protocol/batchTypes.js'
import { singularBatchesToSpan } from '../../protocol/spanBatch.js'
import { testRollupConfig } from '../../protocol/testConfig.js'
import type { L1BlockRef, L2BlockRef } from '../../protocol/types.js'
import type { Logger } from '../shared/log.js'
import { BatchQueue, type BatchQueueContext } from './batchQueue.js'

const cfg = testRollupConfig({ seq_window_size: 100, delta_time: 0 }, 0)
/** A hash whose first 20 bytes (what span checks compare) tell `n` apart. */
const h = (n: number): Hex => `0x${n.toString(16).padStart(8, '0')}${'00'.repeat(28)}`
const l1 = (number: number, timestamp: number): L1BlockRef => ({ hash: h(0x1000 + number), number, parentHash: h(0x1000 + number - 1), timestamp })
const L1 = [l1(10, 1000), l1(11, 1012)]
const INCLUSION = l1(20, 1240)
const TX: Hex = '0x02f86b01'
const ref = (number: number, hash: Hex): L2BlockRef => ({
  hash, number, parentHash: h(0xb000 + number - 1), timestamp: 1004 + 2 * (number - 50), l1origin: { hash: L1[0].hash, number: 10 }, sequenceNumber: number - 48,
})
const SAFE = ref(50, h(0xb050))

/** A recording logger: the queue's warnings are part of its behaviour. */
function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { warnings, debug: () => {}, info: () => {}, error: () => {}, warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`) }
}
const ctx = (safe: L2BlockRef): BatchQueueContext => ({
  safe,
  l1Blocks: async (last) => L1.filter((b) => b.number >= safe.l1origin.number && b.number <= last),
  l2Block: async (n) => (n === 50 ? { ref: SAFE, txHashes: [keccak256(TX)] } : null),
})
const block = (ts: number, txs: Hex[] = [], parentHash = SAFE.hash): SingularBatch => ({ parentHash, epochNumber: 10n, epochHash: L1[0].hash, timestamp: BigInt(ts), transactions: txs })
const spanOf = (blocks: SingularBatch[]) => ({ type: 1 as const, span: singularBatchesToSpan(blocks, 3, { l2GenesisTime: 0, blockTime: 2 }) })

describe('BatchQueue', () => {
  test('default: an accepted span hands out its blocks one per safe head, each on the current safe head', async () => {
    const q = new BatchQueue(cfg, recorder())
    q.push(spanOf([block(1006, [TX]), block(1008), block(1010, [TX])]), INCLUSION)
    const first = await q.next(ctx(SAFE))
    expect(first).toEqual({ batch: block(1006, [TX]), inclusion: INCLUSION })
    const s51 = ref(51, h(0xb051))
    expect(await q.next(ctx(s51))).toEqual({ batch: block(1008, [], s51.hash), inclusion: INCLUSION })
    const s52 = ref(52, h(0xb052))
    expect(await q.next(ctx(s52))).toEqual({ batch: block(1010, [TX], s52.hash), inclusion: INCLUSION })
    expect(await q.next(ctx(ref(53, h(0xb053))))).toEqual({ wait: 'empty' })
  })

  test('behavior: a span overlapping the safe head yields only its new blocks', async () => {
    const q = new BatchQueue(cfg, recorder())
    const parent = h(0xb049)
    q.push(spanOf([block(1004, [TX], parent), block(1006)]), INCLUSION)
    const safe = { ...SAFE, parentHash: parent }
    const ctx50 = { ...ctx(safe), l2Block: async (n: number) => (n === 49 ? { ref: { ...ref(49, parent), sequenceNumber: 1 }, txHashes: [] } : n === 50 ? { ref: safe, txHashes: [keccak256(TX)] } : null) }
    expect(await q.next(ctx50)).toEqual({ batch: block(1006), inclusion: INCLUSION })
  })

  test('behavior: the rest of a span is dropped when the safe head moves elsewhere', async () => {
    const log = recorder()
    const q = new BatchQueue(cfg, log)
    q.push(spanOf([block(1006), block(1008)]), INCLUSION)
    await q.next(ctx(SAFE))
    // The safe head did not advance to 51 (say, a reset): the pending block 1008 no longer follows it.
    expect(await q.next(ctx(SAFE))).toEqual({ wait: 'empty' })
    expect(log.warnings.join('\n')).toMatch(/dropping the rest of a span batch: the safe head moved/)
  })

  test('behavior: future batches wait, invalid ones are dropped with the rule that failed', async () => {
    const log = recorder()
    const q = new BatchQueue(cfg, log)
    q.push(spanOf([block(1008)]), INCLUSION)
    q.push(spanOf([block(1006, [], h(0xdead))]), INCLUSION)
    q.push({ type: 0, batch: block(1006) }, INCLUSION)
    expect(await q.next(ctx(SAFE))).toEqual({ batch: block(1006), inclusion: INCLUSION })
    expect(log.warnings.join('\n')).toMatch(/dropping batch .*"type":1.*parent check/)
    expect(await q.next(ctx(ref(51, h(0xb051))))).toEqual({ wait: 'empty' })
    expect(log.warnings.join('\n')).toMatch(/parent check .* does not match block 51/)
  })

  test('behavior: a span whose last origin is not read yet keeps the queue undecided', async () => {
    const q = new BatchQueue(cfg, recorder())
    const ahead = { ...block(1012), epochNumber: 11n, epochHash: L1[1].hash }
    q.push(spanOf([block(1006), block(1008), block(1010), ahead]), INCLUSION)
    const onlyOrigin = { ...ctx(SAFE), l1Blocks: async () => [L1[0]] }
    expect(await q.next(onlyOrigin)).toEqual({ wait: 'undecided' })
    expect(await q.next(ctx(SAFE))).toEqual({ batch: block(1006), inclusion: INCLUSION })
  })
})

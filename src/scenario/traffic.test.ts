import { expect, test } from 'vitest'
import type { Address } from 'viem'
import { deriveSeed, seededRandom } from './random.js'
import { intrinsicGas, trafficPlan } from './traffic.js'

const recipients: Address[] = ['0x00000000000000000000000000000000000000aa', '0x00000000000000000000000000000000000000bb']
const plan = (seed: number) => trafficPlan(seed, { rate: 20, durationMs: 5000, recipients })

test('behavior: the same seed gives the same transaction sequence, another seed another one', () => {
  expect(plan(42)).toEqual(plan(42))
  expect(plan(42)).not.toEqual(plan(43))
  expect(seededRandom(7)()).toBe(seededRandom(7)())
  expect(deriveSeed(7, 3)).toBe(deriveSeed(7, 3))
  expect(deriveSeed(7, 3)).not.toBe(deriveSeed(7, 4))
})

test('behavior: timing and mix follow the rate within the duration', () => {
  const txs = plan(1)
  expect(txs.length).toBeGreaterThan(50) // ~100 expected at 20 tx/s over 5 s
  expect(txs.length).toBeLessThan(160)
  expect(txs.every((tx, i) => tx.atMs >= (txs[i - 1]?.atMs ?? 0) && tx.atMs < 5000)).toBe(true)
  expect(new Set(txs.map((tx) => tx.kind))).toEqual(new Set(['transfer', 'calldata']))
  for (const tx of txs) {
    if (tx.kind === 'transfer') expect(recipients).toContain(tx.to)
    else expect(tx.data.length).toBeGreaterThan(2)
  }
})

test('default: intrinsic gas counts calldata bytes', () => {
  expect(intrinsicGas('0x')).toBe(21_000n)
  expect(intrinsicGas('0x0001')).toBe(21_050n)
})

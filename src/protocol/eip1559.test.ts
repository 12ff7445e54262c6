import { describe, expect, test } from 'vitest'
import { nextBaseFee } from './eip1559.js'

const gwei = 1_000_000_000n

describe('nextBaseFee', () => {
  test('default: at target the fee stays', () => {
    expect(nextBaseFee({ gasLimit: 30_000_000n, gasUsed: 5_000_000n, baseFeePerGas: gwei })).toBe(gwei)
  })
  test('behavior: an empty block lowers it by 1/250', () => {
    expect(nextBaseFee({ gasLimit: 30_000_000n, gasUsed: 0n, baseFeePerGas: gwei })).toBe(gwei - gwei / 250n)
  })
  test('behavior: a full block raises it by 5/250', () => {
    // used - target = 25M = 5 * target
    expect(nextBaseFee({ gasLimit: 30_000_000n, gasUsed: 30_000_000n, baseFeePerGas: gwei })).toBe(gwei + (gwei * 5n) / 250n)
  })
  test('behavior: the increase is at least 1 wei', () => {
    expect(nextBaseFee({ gasLimit: 30_000_000n, gasUsed: 5_000_001n, baseFeePerGas: 7n })).toBe(8n)
  })
  test('behavior: never negative', () => {
    expect(nextBaseFee({ gasLimit: 30_000_000n, gasUsed: 0n, baseFeePerGas: 0n })).toBe(0n)
  })
})

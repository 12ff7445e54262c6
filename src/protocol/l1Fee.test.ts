import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { flzCompressLen, l1FeeEcotone, l1FeeFjord, l1FeeFjordFloor, l1FeeParamsFromStorage, MIN_TX_SIZE_SCALED, type L1FeeParams } from './l1Fee.js'

// FastLZ vectors shared by the OP Stack clients' tests (op-geth rollup_cost_test, besu FastLzTest).
const EMPTY_TX: Hex = '0xdd80808094095e7baea6a6c7c4c2dfeb977efac326af552d878080808080'
const CONTRACT_CALL_TX: Hex = `0x${'02f901550a758302df1483be21b88304743f94f80e51afb613d764fa61751affd3313c190a86bb870151bd62fd12adb8' +
  'e41ef24f3f000000000000000000000000000000000000000000000000000000000000006e000000000000000000000000af88d065e77c8c' +
  'c2239327c5edb3a432268e5831000000000000000000000000000000000000000000000000000000000003c1e50000000000000000000000' +
  '00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000a0000000' +
  '00000000000000000000000000000000000000000000000000000000148c89ed219d02f1a5be012c689b4f5b731827bebe00000000000000' +
  '0000000000c001a033fd89cb37c31b2cba46b6466e040c61fc9b2a3675a7f5f493ebd5ad77c497f8a07cdf65680e238392693019b4092f61' +
  '0222e71b7cec06449cb922b93b6a12744e'}`

// The devnet's genesis scalars (plan/genesis.ts) and an L1 base fee measured on a devnet.
const params: L1FeeParams = { baseFee: 14_150_001n, blobBaseFee: 1n, baseFeeScalar: 1368, blobBaseFeeScalar: 810_949 }

describe('flzCompressLen', () => {
  test('default: reference vectors', () => {
    expect(flzCompressLen(new Uint8Array(0))).toBe(0)
    expect(flzCompressLen(new Uint8Array(1000).fill(1))).toBe(21)
    expect(flzCompressLen(new Uint8Array(1000))).toBe(21)
    expect(flzCompressLen(Buffer.from(EMPTY_TX.slice(2), 'hex'))).toBe(31)
    expect(flzCompressLen(Buffer.from(CONTRACT_CALL_TX.slice(2), 'hex'))).toBe(202)
  })

  test('behavior: incompressible data costs one byte per 32 literals', () => {
    // A de Bruijn-like sequence with no repeated 3-byte window: all literals.
    const data = new Uint8Array(256).map((_, i) => i)
    expect(flzCompressLen(data)).toBe(256 + 8)
  })
})

describe('l1FeeFjord', () => {
  test('default: small transactions pay the 100-byte floor', () => {
    // feeScaled = 16 * 1368 * 14150001 + 810949 * 1 = 309_716_032_837; fee = 100e6 * feeScaled / 1e12.
    expect(l1FeeFjord(EMPTY_TX, params)).toEqual({ fee: 30_971_603n, gasUsed: 1600n })
    expect(MIN_TX_SIZE_SCALED).toBe(100_000_000n)
  })

  test('behavior: larger transactions pay by FastLZ size', () => {
    // estimatedSize = -42_585_600 + 836_500 * 202 = 126_387_400.
    const est = 126_387_400n
    const scaled = 16n * 1368n * 14_150_001n + 810_949n
    expect(l1FeeFjord(CONTRACT_CALL_TX, params)).toEqual({ fee: (est * scaled) / 10n ** 12n, gasUsed: (est * 16n) / 10n ** 6n })
  })

  test('behavior: zero L1 prices give a zero fee', () => {
    expect(l1FeeFjord(CONTRACT_CALL_TX, { baseFee: 0n, blobBaseFee: 0n, baseFeeScalar: 1368, blobBaseFeeScalar: 810_949 }).fee).toBe(0n)
  })
})

describe('l1FeeEcotone', () => {
  test('default: calldata gas of zero and non-zero bytes', () => {
    // 0xfa00ca00de: 3 non-zero (48) + 2 zero (8) = 56 gas.
    const scaled = 16n * 1368n * 14_150_001n + 810_949n
    expect(l1FeeEcotone('0xfa00ca00de', params)).toEqual({ fee: (56n * scaled) / 16_000_000n, gasUsed: 56n })
  })

  test('error: malformed hex', () => {
    expect(() => l1FeeEcotone('0xabc' as `0x${string}`, params)).toThrow(/transaction/)
  })
})

describe('l1FeeParamsFromStorage', () => {
  test('default: the L1Block words a devnet block holds', () => {
    // Slot 3 as read from a devnet: baseFeeScalar 0x558, blobBaseFeeScalar 0xc5fc5, sequenceNumber 1.
    const p = l1FeeParamsFromStorage({ baseFee: '0xd7e971', scalars: '0x0000000000000000000000000000000000000558000c5fc50000000000000001', blobBaseFee: '0x1' })
    expect(p).toEqual(params)
    expect(l1FeeFjordFloor(p)).toBe(l1FeeFjord('0x', p).fee)
  })
})

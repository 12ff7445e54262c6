/**
 * The L1 data fee of an L2 transaction (Ecotone and Fjord cost functions) and the FastLZ
 * compressed-length estimator Fjord uses. Pure; inputs are the signed transaction's EIP-2718 bytes
 * and the L1 attributes of its block.
 */
import type { Hex } from 'viem'
import { toBytes } from './bytes.js'
import type { L1BlockInfo } from './l1Info.js'

/** Fjord: intercept of the compressed-size regression, scaled by 1e6 (negative). */
export const L1_COST_INTERCEPT = -42_585_600n
/** Fjord: FastLZ coefficient of the compressed-size regression, scaled by 1e6. */
export const L1_COST_FASTLZ_COEF = 836_500n
/** Fjord: floor of the estimated size, 100 bytes scaled by 1e6. */
export const MIN_TX_SIZE_SCALED = 100n * 1_000_000n

/** The L1 attributes a fee needs (as decoded from the block's L1-info deposit). */
export type L1FeeParams = Pick<L1BlockInfo, 'baseFee' | 'blobBaseFee' | 'baseFeeScalar' | 'blobBaseFeeScalar'>

/** A transaction's L1 fee and the receipt fields op-geth derives with it. */
export interface L1Fee {
  /** Wei charged to the sender and credited to the L1FeeVault. */
  fee: bigint
  /** op-geth's `l1GasUsed`: Fjord `estimatedSize * 16 / 1e6`; Ecotone the calldata gas. */
  gasUsed: bigint
}

/**
 * Length of `data` after FastLZ (level 1) compression, counted without producing the output: literal
 * runs cost 1 byte per 32 plus the bytes, matches 2 or 3 bytes per 262 of length. The hash is
 * `(v * 2654435769) >>> 19` on 32-bit words over 3-byte sequences, in a table of 8192 entries.
 * @example flzCompressLen(new Uint8Array(1000)) // 21
 */
export function flzCompressLen(data: Uint8Array): number {
  const table = new Uint32Array(8192)
  const u24 = (i: number) => data[i] | (data[i + 1] << 8) | (data[i + 2] << 16)
  const hash = (v: number) => (Math.imul(v, 2654435769 | 0) >>> 19) & 0x1fff
  let size = 0
  const literals = (run: number) => {
    size += 33 * Math.floor(run / 32)
    if (run % 32 !== 0) size += (run % 32) + 1
  }
  const match = (length: number) => {
    const l = length - 1
    size += 3 * Math.floor(l / 262)
    size += l % 262 >= 6 ? 3 : 2
  }
  const limit = data.length < 13 ? 0 : data.length - 13
  let anchor = 0
  let ip = 2
  while (ip < limit) {
    let ref = 0
    for (;;) {
      const seq = u24(ip)
      const h = hash(seq)
      ref = table[h]
      table[h] = ip
      const distance = ip - ref
      if (ip >= limit) break
      ip++
      if (distance <= 0x1fff && seq === u24(ref)) break
    }
    if (ip >= limit) break
    ip--
    if (ip > anchor) literals(ip - anchor)
    // Length of the common run after the 3 matched bytes, plus one (the mismatching byte, or the end).
    const end = limit + 9 - (ip + 3)
    let l = 0
    while (l < end) {
      if (data[ref + 3 + l] !== data[ip + 3 + l]) {
        l++
        break
      }
      l++
    }
    match(l)
    ip += l
    table[hash(u24(ip))] = ip
    ip++
    table[hash(u24(ip))] = ip
    ip++
    anchor = ip
  }
  literals(data.length - anchor)
  return size
}

/** `16 * baseFeeScalar * l1BaseFee + blobBaseFeeScalar * l1BlobBaseFee` (Ecotone and later). */
function feeScaled(p: L1FeeParams): bigint {
  return 16n * BigInt(p.baseFeeScalar) * p.baseFee + BigInt(p.blobBaseFeeScalar) * p.blobBaseFee
}

/**
 * Fjord: `estimatedSize = max(100e6, intercept + fastlzCoef * flzCompressLen(tx))`,
 * `fee = estimatedSize * feeScaled / 1e12`, `l1GasUsed = estimatedSize * 16 / 1e6`.
 * @example l1FeeFjord('0x02f8…', { baseFee, blobBaseFee, baseFeeScalar: 1368, blobBaseFeeScalar: 810949 })
 */
export function l1FeeFjord(tx: Hex | Uint8Array, p: L1FeeParams): L1Fee {
  const fastlz = BigInt(flzCompressLen(toBytes(tx, 'transaction')))
  let estimated = L1_COST_INTERCEPT + L1_COST_FASTLZ_COEF * fastlz
  if (estimated < MIN_TX_SIZE_SCALED) estimated = MIN_TX_SIZE_SCALED
  return { fee: (estimated * feeScaled(p)) / 1_000_000_000_000n, gasUsed: (estimated * 16n) / 1_000_000n }
}

/** Ecotone: `calldataGas = 4 * zeroBytes + 16 * nonZeroBytes`, `fee = calldataGas * feeScaled / 16e6`. */
export function l1FeeEcotone(tx: Hex | Uint8Array, p: L1FeeParams): L1Fee {
  const bytes = toBytes(tx, 'transaction')
  let gas = 0n
  for (const b of bytes) gas += b === 0 ? 4n : 16n
  return { fee: (gas * feeScaled(p)) / 16_000_000n, gasUsed: gas }
}

/** Storage slots of the L1Block predeploy (Ecotone layout) that the fee reads. */
export const L1_BLOCK_FEE_SLOTS = {
  /** `basefee` (uint256). */
  baseFee: '0x1',
  /** `sequenceNumber` (low 8 bytes), `blobBaseFeeScalar` (bytes 20..24), `baseFeeScalar` (bytes 16..20), big-endian. */
  scalars: '0x3',
  /** `blobBaseFee` (uint256). */
  blobBaseFee: '0x7',
} as const

/** {@link L1FeeParams} from the three L1Block storage words of {@link L1_BLOCK_FEE_SLOTS}. */
export function l1FeeParamsFromStorage(words: { baseFee: Hex; scalars: Hex; blobBaseFee: Hex }): L1FeeParams {
  const scalars = BigInt(words.scalars)
  return {
    baseFee: BigInt(words.baseFee),
    blobBaseFee: BigInt(words.blobBaseFee),
    baseFeeScalar: Number((scalars >> 96n) & 0xffffffffn),
    blobBaseFeeScalar: Number((scalars >> 64n) & 0xffffffffn),
  }
}

/** The Fjord fee of a transaction at the 100-byte floor (what the smallest transactions pay). */
export function l1FeeFjordFloor(p: L1FeeParams): bigint {
  return (MIN_TX_SIZE_SCALED * feeScaled(p)) / 1_000_000_000_000n
}

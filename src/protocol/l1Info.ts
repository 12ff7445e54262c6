/**
 * L1-attributes deposit (first transaction of every L2 block): calldata layouts per fork, the
 * deposit itself, SystemConfig scalar parsing and the EIP-4844 blob base fee.
 */
import { bytesToHex, getAddress, type Address, type Hex } from 'viem'
import { concatBytes, fixedBytes, readUintBE, toBytes, uintToBytes } from './bytes.js'
import { L1_BLOCK_ADDRESS, L1_INFO_DEPOSIT_GAS, L1_INFO_DEPOSITOR_ADDRESS } from './constants.js'
import type { DepositTx } from './deposit.js'
import { l1InfoDepositSourceHash } from './deposit.js'
import { ProtocolError } from './errors.js'
import { isEcotoneButNotFirstBlock, isForkActive, isIsthmusButNotFirstBlock } from './rollupConfig.js'
import type { RollupConfig } from './types.js'

/** Values the L1Block predeploy receives. Fields a layout does not carry decode as zero. */
export interface L1BlockInfo {
  number: bigint
  time: bigint
  baseFee: bigint
  blockHash: Hex
  sequenceNumber: bigint
  batcherAddr: Address
  blobBaseFee: bigint
  baseFeeScalar: number
  blobBaseFeeScalar: number
  /** Bedrock layout only. */
  l1FeeOverhead: bigint
  /** Bedrock layout only. */
  l1FeeScalar: bigint
  /** Isthmus layout only. */
  operatorFeeScalar: number
  /** Isthmus layout only. */
  operatorFeeConstant: bigint
}

/** `setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)`. */
export const L1_INFO_BEDROCK_SELECTOR: Hex = '0x015d8eb9'
/** `setL1BlockValuesEcotone()`. */
export const L1_INFO_ECOTONE_SELECTOR: Hex = '0x440a5e20'
/** `setL1BlockValuesIsthmus()`. */
export const L1_INFO_ISTHMUS_SELECTOR: Hex = '0x098999be'
/** Calldata length of the Bedrock layout. */
export const L1_INFO_BEDROCK_LENGTH = 260
/** Calldata length of the Ecotone layout. */
export const L1_INFO_ECOTONE_LENGTH = 164
/** Calldata length of the Isthmus layout. */
export const L1_INFO_ISTHMUS_LENGTH = 176

/** EIP-4844 blob base fee update fraction (Cancun). */
export const BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN = 3338477n
/** EIP-7691 blob base fee update fraction (Prague). */
export const BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE = 5007716n

const batcherHash = (a: Address): Uint8Array => concatBytes(new Uint8Array(12), fixedBytes(a, 20, 'batcher address'))

/** Bedrock..Delta (and Ecotone activation block) calldata: selector ++ 8 ABI words (260 bytes). */
export function encodeL1InfoBedrock(info: L1BlockInfo): Hex {
  return bytesToHex(
    concatBytes(
      toBytes(L1_INFO_BEDROCK_SELECTOR, 'selector'),
      uintToBytes(info.number, 32, 'number'),
      uintToBytes(info.time, 32, 'time'),
      uintToBytes(info.baseFee, 32, 'base fee'),
      fixedBytes(info.blockHash, 32, 'block hash'),
      uintToBytes(info.sequenceNumber, 32, 'sequence number'),
      batcherHash(info.batcherAddr),
      uintToBytes(info.l1FeeOverhead, 32, 'l1 fee overhead'),
      uintToBytes(info.l1FeeScalar, 32, 'l1 fee scalar'),
    ),
  )
}

function ecotoneBody(info: L1BlockInfo): Uint8Array[] {
  return [
    uintToBytes(info.baseFeeScalar, 4, 'base fee scalar'),
    uintToBytes(info.blobBaseFeeScalar, 4, 'blob base fee scalar'),
    uintToBytes(info.sequenceNumber, 8, 'sequence number'),
    uintToBytes(info.time, 8, 'time'),
    uintToBytes(info.number, 8, 'number'),
    uintToBytes(info.baseFee, 32, 'base fee'),
    uintToBytes(info.blobBaseFee, 32, 'blob base fee'),
    fixedBytes(info.blockHash, 32, 'block hash'),
    batcherHash(info.batcherAddr),
  ]
}

/** Ecotone..Holocene (and Isthmus activation block) packed calldata (164 bytes). */
export function encodeL1InfoEcotone(info: L1BlockInfo): Hex {
  return bytesToHex(concatBytes(toBytes(L1_INFO_ECOTONE_SELECTOR, 'selector'), ...ecotoneBody(info)))
}

/** Isthmus packed calldata: Ecotone layout ++ operatorFeeScalar u32 ++ operatorFeeConstant u64 (176 bytes). */
export function encodeL1InfoIsthmus(info: L1BlockInfo): Hex {
  return bytesToHex(
    concatBytes(
      toBytes(L1_INFO_ISTHMUS_SELECTOR, 'selector'),
      ...ecotoneBody(info),
      uintToBytes(info.operatorFeeScalar, 4, 'operator fee scalar'),
      uintToBytes(info.operatorFeeConstant, 8, 'operator fee constant'),
    ),
  )
}

function readBatcher(b: Uint8Array, offset: number): Address {
  if (b.subarray(offset, offset + 12).some((x) => x !== 0)) {
    throw new ProtocolError('INVALID_L1_INFO', 'batcher hash is not a left-padded address')
  }
  return getAddress(bytesToHex(b.subarray(offset + 12, offset + 32)))
}

/** Decodes L1-info calldata of any supported layout (chosen by selector; length must match). */
export function decodeL1Info(data: Hex): L1BlockInfo {
  const b = toBytes(data, 'L1 info calldata', 'INVALID_L1_INFO')
  const selector = bytesToHex(b.subarray(0, 4))
  const expect = (len: number): void => {
    if (b.length !== len) throw new ProtocolError('INVALID_L1_INFO', `L1 info calldata ${selector} must be ${len} bytes, got ${b.length}`)
  }
  const u = (o: number, w: number): bigint => readUintBE(b, o, w)
  if (selector === L1_INFO_BEDROCK_SELECTOR) {
    expect(L1_INFO_BEDROCK_LENGTH)
    for (const [o, w] of [[4, 8], [36, 8], [132, 8]] as const) {
      if (u(o, 32) >= 1n << BigInt(w * 8)) throw new ProtocolError('INVALID_L1_INFO', `word at ${o} does not fit uint64`)
    }
    return {
      number: u(4, 32), time: u(36, 32), baseFee: u(68, 32), blockHash: bytesToHex(b.subarray(100, 132)),
      sequenceNumber: u(132, 32), batcherAddr: readBatcher(b, 164), l1FeeOverhead: u(196, 32), l1FeeScalar: u(228, 32),
      blobBaseFee: 0n, baseFeeScalar: 0, blobBaseFeeScalar: 0, operatorFeeScalar: 0, operatorFeeConstant: 0n,
    }
  }
  const isthmus = selector === L1_INFO_ISTHMUS_SELECTOR
  if (selector !== L1_INFO_ECOTONE_SELECTOR && !isthmus) {
    throw new ProtocolError('INVALID_L1_INFO', `unknown L1 info selector ${selector}`)
  }
  expect(isthmus ? L1_INFO_ISTHMUS_LENGTH : L1_INFO_ECOTONE_LENGTH)
  return {
    baseFeeScalar: Number(u(4, 4)), blobBaseFeeScalar: Number(u(8, 4)), sequenceNumber: u(12, 8), time: u(20, 8),
    number: u(28, 8), baseFee: u(36, 32), blobBaseFee: u(68, 32), blockHash: bytesToHex(b.subarray(100, 132)),
    batcherAddr: readBatcher(b, 132), l1FeeOverhead: 0n, l1FeeScalar: 0n,
    operatorFeeScalar: isthmus ? Number(u(164, 4)) : 0, operatorFeeConstant: isthmus ? u(168, 8) : 0n,
  }
}

/**
 * Calldata for the L2 block at `l2Timestamp`: Isthmus layout once Isthmus is active past its
 * activation block, else Ecotone layout once Ecotone is active past its activation block, else
 * Bedrock. Throws if Jovian is active (its layout is not implemented).
 */
export function l1InfoCalldata(cfg: RollupConfig, l2Timestamp: number, info: L1BlockInfo): Hex {
  if (isForkActive(cfg, 'jovian', l2Timestamp)) {
    throw new ProtocolError('UNSUPPORTED_FORK', 'Jovian L1-info layout is not implemented')
  }
  if (isIsthmusButNotFirstBlock(cfg, l2Timestamp)) return encodeL1InfoIsthmus(info)
  if (isEcotoneButNotFirstBlock(cfg, l2Timestamp)) return encodeL1InfoEcotone(info)
  return encodeL1InfoBedrock(info)
}

/** The L1-attributes deposit carrying `calldata` (Regolith+ form, source-hash domain 1). */
export function l1InfoDepositTx(info: Pick<L1BlockInfo, 'blockHash' | 'sequenceNumber'>, calldata: Hex): DepositTx {
  return {
    sourceHash: l1InfoDepositSourceHash(info.blockHash, info.sequenceNumber),
    from: L1_INFO_DEPOSITOR_ADDRESS,
    to: L1_BLOCK_ADDRESS,
    mint: 0n,
    value: 0n,
    gas: L1_INFO_DEPOSIT_GAS,
    isSystemTx: false,
    data: calldata,
  }
}

/**
 * Fee scalars from the SystemConfig `scalar` word. Version 0: low 4 bytes are the base fee scalar
 * (bytes 1..27 must be zero); version 1: `[24,28)` blob base fee scalar, `[28,32)` base fee scalar
 * (bytes 1..23 must be zero).
 */
export function scalarsFromSystemConfig(scalar: Hex): { baseFeeScalar: number; blobBaseFeeScalar: number } {
  const b = fixedBytes(scalar, 32, 'system config scalar', 'INVALID_SYSTEM_CONFIG')
  const zero = (from: number, to: number): boolean => b.subarray(from, to).every((x) => x === 0)
  if (b[0] === 0) {
    if (!zero(1, 28)) throw new ProtocolError('INVALID_SYSTEM_CONFIG', 'version 0 scalar has non-zero padding')
    return { baseFeeScalar: Number(readUintBE(b, 28, 4)), blobBaseFeeScalar: 0 }
  }
  if (b[0] === 1) {
    if (!zero(1, 24)) throw new ProtocolError('INVALID_SYSTEM_CONFIG', 'version 1 scalar has non-zero padding')
    return { baseFeeScalar: Number(readUintBE(b, 28, 4)), blobBaseFeeScalar: Number(readUintBE(b, 24, 4)) }
  }
  throw new ProtocolError('INVALID_SYSTEM_CONFIG', `unknown system config scalar version ${b[0]}`)
}

/** EIP-4844 `fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS = 1, excessBlobGas, updateFraction)`. */
export function blobBaseFee(excessBlobGas: bigint, updateFraction: bigint): bigint {
  if (updateFraction <= 0n) throw new ProtocolError('INVALID_ARGUMENT', 'update fraction must be positive')
  let i = 1n
  let output = 0n
  let acc = 1n * updateFraction
  while (acc > 0n) {
    output += acc
    acc = (acc * excessBlobGas) / (updateFraction * i)
    i++
  }
  return output / updateFraction
}

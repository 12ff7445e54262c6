import { concatHex, encodeFunctionData, numberToHex, pad, parseAbi, size, toFunctionSelector, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { L1_BLOCK_ADDRESS, L1_INFO_DEPOSITOR_ADDRESS } from './constants.js'
import { l1InfoDepositSourceHash } from './deposit.js'
import { ProtocolError } from './errors.js'
import {
  BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
  BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
  L1_INFO_BEDROCK_SELECTOR,
  L1_INFO_ECOTONE_SELECTOR,
  L1_INFO_ISTHMUS_SELECTOR,
  blobBaseFee,
  decodeL1Info,
  encodeL1InfoBedrock,
  encodeL1InfoEcotone,
  encodeL1InfoIsthmus,
  l1InfoCalldata,
  l1InfoDepositTx,
  scalarsFromSystemConfig,
  type L1BlockInfo,
} from './l1Info.js'
import { testRollupConfig } from './testConfig.js'
import type { RollupConfig } from './types.js'

const cfg = (o: Partial<RollupConfig> = {}): RollupConfig => testRollupConfig(o)

const base: L1BlockInfo = {
  number: 123n,
  time: 1_700_000_000n,
  baseFee: 7_000_000_000n,
  blockHash: `0x${'ab'.repeat(32)}`,
  sequenceNumber: 4n,
  batcherAddr: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  blobBaseFee: 1n,
  baseFeeScalar: 1368,
  blobBaseFeeScalar: 810949,
  l1FeeOverhead: 0n,
  l1FeeScalar: 0n,
  operatorFeeScalar: 0,
  operatorFeeConstant: 0n,
}

describe('selectors', () => {
  test('default', () => {
    expect(L1_INFO_BEDROCK_SELECTOR).toBe(toFunctionSelector('setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)'))
    expect(L1_INFO_ECOTONE_SELECTOR).toBe(toFunctionSelector('setL1BlockValuesEcotone()'))
    expect(L1_INFO_ISTHMUS_SELECTOR).toBe(toFunctionSelector('setL1BlockValuesIsthmus()'))
  })
})

describe('encodeL1InfoBedrock', () => {
  test('default: matches the ABI encoding', () => {
    const info = { ...base, l1FeeOverhead: 188n, l1FeeScalar: 684000n, blobBaseFee: 0n, baseFeeScalar: 0, blobBaseFeeScalar: 0 }
    const abi = parseAbi(['function setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)'])
    const expected = encodeFunctionData({
      abi,
      functionName: 'setL1BlockValues',
      args: [info.number, info.time, info.baseFee, info.blockHash, info.sequenceNumber, pad(info.batcherAddr), info.l1FeeOverhead, info.l1FeeScalar],
    })
    expect(encodeL1InfoBedrock(info)).toBe(expected.toLowerCase())
    expect(size(expected)).toBe(260)
    expect(decodeL1Info(expected)).toEqual(info)
  })
})

describe('encodeL1InfoEcotone / encodeL1InfoIsthmus', () => {
  const ecotoneHand = (i: L1BlockInfo): Hex =>
    concatHex([
      numberToHex(i.baseFeeScalar, { size: 4 }),
      numberToHex(i.blobBaseFeeScalar, { size: 4 }),
      numberToHex(i.sequenceNumber, { size: 8 }),
      numberToHex(i.time, { size: 8 }),
      numberToHex(i.number, { size: 8 }),
      numberToHex(i.baseFee, { size: 32 }),
      numberToHex(i.blobBaseFee, { size: 32 }),
      i.blockHash,
      pad(i.batcherAddr),
    ])

  test('default: Ecotone packed layout', () => {
    const data = encodeL1InfoEcotone(base)
    expect(data).toBe(concatHex([L1_INFO_ECOTONE_SELECTOR, ecotoneHand(base)]).toLowerCase())
    expect(size(data)).toBe(164)
    expect(decodeL1Info(data)).toEqual(base)
  })

  test('default: Isthmus packed layout', () => {
    const info = { ...base, operatorFeeScalar: 5, operatorFeeConstant: 9n }
    const data = encodeL1InfoIsthmus(info)
    expect(data).toBe(concatHex([L1_INFO_ISTHMUS_SELECTOR, ecotoneHand(info), numberToHex(5, { size: 4 }), numberToHex(9, { size: 8 })]).toLowerCase())
    expect(size(data)).toBe(176)
    expect(decodeL1Info(data)).toEqual(info)
  })

  test('error: wrong length, unknown selector, dirty batcher padding', () => {
    expect(() => decodeL1Info(`${encodeL1InfoEcotone(base)}00`)).toThrow(/164 bytes/)
    expect(() => decodeL1Info(`0x12345678${'00'.repeat(160)}`)).toThrow(/unknown L1 info selector/)
    const dirty = encodeL1InfoEcotone(base).replace(/000000000000000000000000(3c44cddd)/i, '010000000000000000000000$1') as Hex
    expect(() => decodeL1Info(dirty)).toThrow(/left-padded/)
  })

  test('error: value out of range', () => {
    expect(() => encodeL1InfoEcotone({ ...base, baseFeeScalar: 2 ** 32 })).toThrow(ProtocolError)
  })
})

describe('l1InfoCalldata', () => {
  test('default: layout by fork with activation-block quirks', () => {
    const c = cfg({ ecotone_time: 1010, isthmus_time: 1020 })
    expect(l1InfoCalldata(c, 1008, base).slice(0, 10)).toBe(L1_INFO_BEDROCK_SELECTOR)
    expect(l1InfoCalldata(c, 1010, base).slice(0, 10)).toBe(L1_INFO_BEDROCK_SELECTOR)
    expect(l1InfoCalldata(c, 1012, base).slice(0, 10)).toBe(L1_INFO_ECOTONE_SELECTOR)
    expect(l1InfoCalldata(c, 1020, base).slice(0, 10)).toBe(L1_INFO_ECOTONE_SELECTOR)
    expect(l1InfoCalldata(c, 1022, base).slice(0, 10)).toBe(L1_INFO_ISTHMUS_SELECTOR)
  })

  test('behavior: forks at genesis use the newest layout right away', () => {
    expect(l1InfoCalldata(cfg({ ecotone_time: 0, isthmus_time: 0 }), 1002, base).slice(0, 10)).toBe(L1_INFO_ISTHMUS_SELECTOR)
  })

  test('error: Jovian is not implemented', () => {
    expect(() => l1InfoCalldata(cfg({ jovian_time: 0 }), 1002, base)).toThrow(/Jovian/)
  })
})

describe('l1InfoDepositTx', () => {
  test('default', () => {
    const data = encodeL1InfoEcotone(base)
    expect(l1InfoDepositTx(base, data)).toEqual({
      sourceHash: l1InfoDepositSourceHash(base.blockHash, 4n),
      from: L1_INFO_DEPOSITOR_ADDRESS,
      to: L1_BLOCK_ADDRESS,
      mint: 0n,
      value: 0n,
      gas: 1_000_000n,
      isSystemTx: false,
      data,
    })
  })
})

describe('scalarsFromSystemConfig', () => {
  test('default: version 1', () => {
    const scalar = concatHex(['0x01', pad('0x', { size: 23 }), numberToHex(810949, { size: 4 }), numberToHex(1368, { size: 4 })])
    expect(scalarsFromSystemConfig(scalar)).toEqual({ baseFeeScalar: 1368, blobBaseFeeScalar: 810949 })
  })

  test('args: version 0', () => {
    expect(scalarsFromSystemConfig(pad(numberToHex(684000)))).toEqual({ baseFeeScalar: 684000, blobBaseFeeScalar: 0 })
  })

  test('error: bad padding and unknown version', () => {
    expect(() => scalarsFromSystemConfig(concatHex(['0x0001', pad('0x', { size: 30 })]))).toThrow(/padding/)
    expect(() => scalarsFromSystemConfig(concatHex(['0x0101', pad('0x', { size: 30 })]))).toThrow(/padding/)
    expect(() => scalarsFromSystemConfig(concatHex(['0x02', pad('0x', { size: 31 })]))).toThrow(/version 2/)
  })
})

describe('blobBaseFee', () => {
  test('default', () => {
    expect(blobBaseFee(0n, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN)).toBe(1n)
    // e^(excess / fraction) ~ e^1 ~ 2.718 -> integer approximation 2
    expect(blobBaseFee(BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN)).toBe(2n)
    expect(blobBaseFee(BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE * 10n, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE)).toBe(22026n)
  })

  test('behavior: matches the EIP-4844 reference loop', () => {
    const ref = (factor: bigint, num: bigint, den: bigint): bigint => {
      let i = 1n
      let out = 0n
      let acc = factor * den
      while (acc > 0n) {
        out += acc
        acc = (acc * num) / (den * i)
        i += 1n
      }
      return out / den
    }
    for (const excess of [1n, 393216n, 10_000_000n, 100_000_000n]) {
      expect(blobBaseFee(excess, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN)).toBe(ref(1n, excess, BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN))
    }
  })
})

import { encodeAbiParameters, encodeEventTopics, parseAbi, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { applyConfigUpdate, UPDATE_TYPE, type SystemConfig } from './systemConfig.js'

const abi = parseAbi(['event ConfigUpdate(uint256 indexed version, uint8 indexed updateType, bytes data)'])
const base: SystemConfig = {
  batcherAddr: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  overhead: `0x${'00'.repeat(32)}`,
  scalar: `0x01${'00'.repeat(23)}000c5fc500000558`,
  gasLimit: 30_000_000,
}
/** A ConfigUpdate log as SystemConfig emits it: `emit ConfigUpdate(version, type, abi.encode(...))`. */
const log = (updateType: number, payload: Hex, version = 0n) => ({
  topics: encodeEventTopics({ abi, eventName: 'ConfigUpdate', args: { version, updateType } }) as Hex[],
  data: encodeAbiParameters([{ type: 'bytes' }], [payload]),
})

describe('applyConfigUpdate', () => {
  test('default: batcher, gas config, gas limit and unsafe block signer updates', () => {
    const batcher = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.BATCHER, encodeAbiParameters([{ type: 'bytes32' }], [`0x${batcher.slice(2).padStart(64, '0')}`]))).batcherAddr).toBe(batcher)
    const scalar = `0x01${'00'.repeat(23)}0000000700000009` as Hex
    const gas = applyConfigUpdate(base, log(UPDATE_TYPE.GAS_CONFIG, encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [5n, BigInt(scalar)])))
    expect([BigInt(gas.overhead), gas.scalar]).toEqual([5n, scalar])
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.GAS_LIMIT, encodeAbiParameters([{ type: 'uint64' }], [40_000_000n]))).gasLimit).toBe(40_000_000)
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.UNSAFE_BLOCK_SIGNER, encodeAbiParameters([{ type: 'address' }], [batcher]))).unsafeBlockSigner).toBe(batcher)
  })

  test('error: unknown version or type, malformed data leave the config unchanged', () => {
    const payload = encodeAbiParameters([{ type: 'uint64' }], [1n])
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.GAS_LIMIT, payload, 1n))).toBe(base)
    expect(applyConfigUpdate(base, log(9, payload))).toBe(base)
    expect(applyConfigUpdate(base, log(UPDATE_TYPE.GAS_CONFIG, payload))).toBe(base)
    expect(applyConfigUpdate(base, { ...log(UPDATE_TYPE.GAS_LIMIT, payload), data: '0x1234' })).toBe(base)
  })
})

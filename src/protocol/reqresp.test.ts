import { describe, expect, test } from 'vitest'
import type { Hex } from 'viem'
import type { ExecutionPayload } from './payloadTypes.js'
import {
  decodePayloadRequest, decodePayloadResponse, encodeErrorResponse, encodePayloadRequest, encodePayloadResponse, maxBlockAt,
  payloadByNumberProtocol, ResultCode,
} from './reqresp.js'
import { decodeSnappyFramed } from './snappyFrames.js'
import { encodePayloadSSZ } from './payloadSsz.js'
import { testRollupConfig } from './testConfig.js'

const payload = (n: bigint, ts: bigint): ExecutionPayload => ({
  parentHash: `0x${'01'.repeat(32)}`, feeRecipient: '0x4200000000000000000000000000000000000011', stateRoot: `0x${'02'.repeat(32)}`,
  receiptsRoot: `0x${'03'.repeat(32)}`, logsBloom: `0x${'00'.repeat(256)}`, prevRandao: `0x${'04'.repeat(32)}`, blockNumber: n,
  gasLimit: 30_000_000n, gasUsed: 21_000n, timestamp: ts, extraData: '0x', baseFeePerGas: 7n, blockHash: `0x${'05'.repeat(32)}`,
  transactions: ['0x7e01', '0x02aa'],
})
const ROOT: Hex = `0x${'09'.repeat(32)}`

describe('payloadByNumberProtocol', () => {
  test('default', () => expect(payloadByNumberProtocol(901)).toBe('/opstack/req/payload_by_number/901/0'))
})

describe('payload requests', () => {
  test('default: uint64 little-endian', () => {
    expect([...encodePayloadRequest(0x0102)]).toEqual([2, 1, 0, 0, 0, 0, 0, 0])
    expect(decodePayloadRequest(encodePayloadRequest(123456789n))).toBe(123456789n)
  })
  test('error: fewer than 8 bytes', () => {
    expect(() => decodePayloadRequest(Uint8Array.of(1, 2, 3))).toThrow('request of 3 bytes, expected a uint64 (8 bytes)')
  })
})

describe('payload responses', () => {
  test('default: pre-Ecotone is version 0 with a bare payload, Ecotone+ version 1 with the envelope', () => {
    const canyon = testRollupConfig({ canyon_time: 0 })
    const p1 = { ...payload(3n, 1006n), withdrawals: [] as [] }
    const r1 = encodePayloadResponse(canyon, { payload: p1 })
    expect([...r1.subarray(0, 5)]).toEqual([0, 0, 0, 0, 0])
    expect(decodeSnappyFramed(r1.subarray(5), 1e6)).toEqual(encodePayloadSSZ(p1, 2))
    expect(decodePayloadResponse(canyon, 3, r1)).toEqual({ code: 0, payload: { payload: p1 } })

    const ecotone = testRollupConfig({ canyon_time: 0, delta_time: 0, ecotone_time: 0 })
    const p3 = { ...p1, blobGasUsed: 0n, excessBlobGas: 0n }
    const r3 = encodePayloadResponse(ecotone, { payload: p3, parentBeaconBlockRoot: ROOT })
    expect([...r3.subarray(0, 5)]).toEqual([0, 1, 0, 0, 0])
    const body = decodeSnappyFramed(r3.subarray(5), 1e6)
    expect(body.subarray(0, 32)).toEqual(new Uint8Array(32).fill(9))
    expect(decodePayloadResponse(ecotone, 3, r3)).toEqual({ code: 0, payload: { payload: p3, parentBeaconBlockRoot: ROOT } })
  })

  test('behavior: error responses carry only the result code', () => {
    expect([...encodeErrorResponse(ResultCode.notFound)]).toEqual([1])
    expect(decodePayloadResponse(testRollupConfig(), 1, Uint8Array.of(2))).toEqual({ code: 2 })
  })

  test('error: empty, no version, unknown version, version against the fork, bad framing', () => {
    const cfg = testRollupConfig({ canyon_time: 0, delta_time: 0, ecotone_time: 0 })
    expect(() => decodePayloadResponse(cfg, 1, new Uint8Array(0))).toThrow('empty response')
    expect(() => decodePayloadResponse(cfg, 1, Uint8Array.of(0, 1))).toThrow('has no version')
    expect(() => decodePayloadResponse(cfg, 1, Uint8Array.of(0, 2, 0, 0, 0))).toThrow('unrecognized response version 2')
    expect(() => decodePayloadResponse(cfg, 1, Uint8Array.of(0, 0, 0, 0, 0))).toThrow('response version 0 does not match payload v3 of block 1')
    expect(() => decodePayloadResponse(cfg, 1, Uint8Array.of(0, 1, 0, 0, 0, 1, 2))).toThrow(/snappy frame/)
  })
})

describe('maxBlockAt', () => {
  test('default: whole block times since genesis, never below genesis', () => {
    const cfg = testRollupConfig({}, 1000)
    expect(maxBlockAt(cfg, 1000)).toBe(0)
    expect(maxBlockAt(cfg, 1005)).toBe(2)
    expect(maxBlockAt(cfg, 900)).toBe(0)
  })
})

import { bytesToHex, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { ProtocolError } from './errors.js'
import {
  SSZ_PAYLOAD_FIXED_SIZE,
  decodePayloadSSZ,
  encodePayloadSSZ,
  envelopeFromEngineJson,
  envelopeToEngineJson,
  payloadFromEngineJson,
  payloadFromRpcBlock,
  payloadToEngineJson,
  payloadVersionFor,
  type ExecutionPayload,
  type PayloadVersion,
} from './payload.js'
import type { RollupConfig } from './types.js'

const h = (b: string, n = 32): Hex => `0x${b.repeat(n)}`

const samplePayload = (version: PayloadVersion): ExecutionPayload => {
  const p: ExecutionPayload = {
    parentHash: h('01'),
    feeRecipient: '0x4200000000000000000000000000000000000011',
    stateRoot: h('02'),
    receiptsRoot: h('03'),
    logsBloom: h('00', 256),
    prevRandao: h('04'),
    blockNumber: 77n,
    gasLimit: 30_000_000n,
    gasUsed: 46_000n,
    timestamp: 1_700_000_002n,
    extraData: '0x00000000fa00000006',
    baseFeePerGas: 1_000_000_007n,
    blockHash: h('05'),
    transactions: ['0x7ef8f8a0aa', '0x02f86b0182', '0x'],
  }
  if (version >= 2) p.withdrawals = []
  if (version >= 3) {
    p.blobGasUsed = 0n
    p.excessBlobGas = 0n
  }
  if (version >= 4) p.withdrawalsRoot = h('06')
  return p
}

describe('encodePayloadSSZ / decodePayloadSSZ', () => {
  test('default: fixed part sizes', () => {
    expect(SSZ_PAYLOAD_FIXED_SIZE).toEqual({ 1: 508, 2: 512, 3: 528, 4: 560 })
    for (const v of [1, 2, 3, 4] as const) {
      const empty = { ...samplePayload(v), extraData: '0x' as Hex, transactions: [] }
      expect(encodePayloadSSZ(empty, v).length).toBe(SSZ_PAYLOAD_FIXED_SIZE[v])
    }
  })

  test('default: round trip for every version', () => {
    for (const v of [1, 2, 3, 4] as const) {
      const p = samplePayload(v)
      expect(decodePayloadSSZ(encodePayloadSSZ(p, v), v)).toEqual(p)
    }
  })

  test('behavior: hand-checked layout (little-endian integers, offsets)', () => {
    const p = samplePayload(3)
    const b = encodePayloadSSZ(p, 3)
    const view = new DataView(b.buffer, b.byteOffset, b.length)
    expect(bytesToHex(b.subarray(32, 52))).toBe(p.feeRecipient.toLowerCase())
    expect(view.getBigUint64(404, true)).toBe(77n)
    expect(view.getBigUint64(428, true)).toBe(1_700_000_002n)
    expect(view.getUint32(436, true)).toBe(528)
    expect(b[440]).toBe(Number(1_000_000_007n & 0xffn))
    expect(view.getUint32(504, true)).toBe(528 + 9)
    // transactions: 3 offsets (12 bytes) + 5 + 5 + 0 bytes, then the (empty) withdrawals
    expect(view.getUint32(508, true)).toBe(528 + 9 + 12 + 10)
    expect(view.getUint32(528 + 9, true)).toBe(12)
    expect(view.getUint32(528 + 9 + 4, true)).toBe(17)
    expect(b.length).toBe(528 + 9 + 12 + 10)
  })

  test('error: truncated and bad offsets', () => {
    const b = encodePayloadSSZ(samplePayload(3), 3)
    expect(() => decodePayloadSSZ(b.subarray(0, 500), 3)).toThrow(/shorter/)
    const bad = b.slice()
    bad[436] = 0
    expect(() => decodePayloadSSZ(bad, 3)).toThrow(/extraData offset/)
    const badTx = b.slice()
    badTx[537] = 7
    expect(() => decodePayloadSSZ(badTx, 3)).toThrow(ProtocolError)
  })

  test('error: withdrawals present / extraData too long / missing v3 fields', () => {
    const b = encodePayloadSSZ(samplePayload(2), 2)
    const withW = new Uint8Array([...b, ...new Uint8Array(44)])
    expect(() => decodePayloadSSZ(withW, 2)).toThrow(/withdrawals/)
    expect(() => encodePayloadSSZ({ ...samplePayload(1), extraData: h('00', 33) }, 1)).toThrow(/extraData/)
    expect(() => encodePayloadSSZ(samplePayload(2), 3)).toThrow(/blobGasUsed/)
  })
})

describe('payloadVersionFor', () => {
  test('default', () => {
    const cfg = { canyon_time: 10, ecotone_time: 20, isthmus_time: 30 } as RollupConfig
    expect([0, 10, 20, 30].map((t) => payloadVersionFor(cfg, t))).toEqual([1, 2, 3, 4])
  })
})

describe('engine JSON', () => {
  test('default: round trip', () => {
    const p = samplePayload(4)
    const json = payloadToEngineJson(p)
    expect(json.blockNumber).toBe('0x4d')
    expect(json.blobGasUsed).toBe('0x0')
    expect(json.withdrawals).toEqual([])
    expect(payloadFromEngineJson(json)).toEqual(p)
  })

  test('behavior: v1 has no optional fields', () => {
    expect(Object.keys(payloadToEngineJson(samplePayload(1)))).not.toContain('withdrawals')
  })

  test('behavior: envelope', () => {
    const env = envelopeToEngineJson({ payload: samplePayload(3), parentBeaconBlockRoot: h('07') })
    expect(env.parentBeaconBlockRoot).toBe(h('07'))
    expect(envelopeFromEngineJson(env)).toEqual({ payload: samplePayload(3), parentBeaconBlockRoot: h('07') })
  })

  test('error: non-empty withdrawals / non-hex', () => {
    const json = payloadToEngineJson(samplePayload(2))
    expect(() => payloadFromEngineJson({ ...json, withdrawals: [{}] as unknown as [] })).toThrow(/withdrawals/)
    expect(() => payloadFromEngineJson({ ...json, gasUsed: 'abc' as Hex })).toThrow(/gasUsed/)
  })
})

describe('payloadFromRpcBlock', () => {
  const p = samplePayload(4)
  const block = {
    parentHash: p.parentHash,
    miner: p.feeRecipient,
    stateRoot: p.stateRoot,
    receiptsRoot: p.receiptsRoot,
    logsBloom: p.logsBloom,
    mixHash: p.prevRandao,
    number: '0x4d',
    gasLimit: '0x1c9c380',
    gasUsed: '0xb3b0',
    timestamp: '0x6553f102',
    extraData: p.extraData,
    baseFeePerGas: '0x3b9aca07',
    hash: p.blockHash,
    withdrawals: [],
    withdrawalsRoot: h('06'),
    blobGasUsed: '0x0',
    excessBlobGas: '0x0',
    parentBeaconBlockRoot: h('08'),
    requestsHash: h('09'),
    transactions: [h('aa')],
  }

  test('default: infers the Isthmus shape', () => {
    expect(payloadFromRpcBlock(block, p.transactions)).toEqual({ payload: p, parentBeaconBlockRoot: h('08') })
  })

  test('args: version forces the shape', () => {
    const { payload, parentBeaconBlockRoot } = payloadFromRpcBlock(block, p.transactions, { version: 2 })
    expect(payload).toEqual({ ...samplePayload(2) })
    expect(parentBeaconBlockRoot).toBeUndefined()
  })

  test('behavior: pre-Isthmus block has no withdrawalsRoot', () => {
    const { requestsHash: _, ...ecotone } = block
    expect(payloadFromRpcBlock(ecotone, p.transactions).payload).toEqual(samplePayload(3))
  })

  test('error: not an object', () => {
    expect(() => payloadFromRpcBlock(null, [])).toThrow(ProtocolError)
  })
})


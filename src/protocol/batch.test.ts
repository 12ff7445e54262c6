import { bytesToHex, concatHex, hexToBytes, toRlp } from 'viem'
import { describe, expect, test } from 'vitest'
import { decodeBatch, encodeSingularBatch, type SingularBatch } from './batch.js'
import { ProtocolError } from './errors.js'

const batch: SingularBatch = {
  parentHash: `0x${'ab'.repeat(32)}`,
  epochNumber: 1234n,
  epochHash: `0x${'cd'.repeat(32)}`,
  timestamp: 1_700_000_000n,
  transactions: ['0x02f86c0102', '0xf86b0102'],
}

describe('encodeSingularBatch', () => {
  test('default', () => {
    const expected = concatHex([
      '0x00',
      toRlp([batch.parentHash, '0x04d2', batch.epochHash, '0x6553f100', batch.transactions]),
    ])
    expect(bytesToHex(encodeSingularBatch(batch))).toBe(expected)
  })

  test('behavior: zero values and no transactions', () => {
    const b = { ...batch, epochNumber: 0n, timestamp: 0n, transactions: [] }
    expect(bytesToHex(encodeSingularBatch(b))).toBe(concatHex(['0x00', toRlp([b.parentHash, '0x', b.epochHash, '0x', []])]))
    expect(decodeBatch(encodeSingularBatch(b))).toEqual({ type: 0, batch: b })
  })

  test('error: bad hash length', () => {
    expect(() => encodeSingularBatch({ ...batch, parentHash: '0x01' })).toThrow(ProtocolError)
  })
})

describe('decodeBatch', () => {
  test('default', () => {
    expect(decodeBatch(encodeSingularBatch(batch))).toEqual({ type: 0, batch })
  })

  test('error: unknown batch type', () => {
    expect(() => decodeBatch(Uint8Array.of(2, 0xc0))).toThrow(/unknown batch type 2/)
  })

  test('error: empty batch', () => {
    expect(() => decodeBatch(new Uint8Array())).toThrow(ProtocolError)
  })

  test('error: wrong field count', () => {
    const bytes = hexToBytes(concatHex(['0x00', toRlp([batch.parentHash, '0x01', batch.epochHash, '0x01'])]))
    expect(() => decodeBatch(bytes)).toThrow(/5 elements/)
  })

  test('error: trailing bytes', () => {
    const bytes = hexToBytes(concatHex([bytesToHex(encodeSingularBatch(batch)), '0x00']))
    expect(() => decodeBatch(bytes)).toThrow(/trailing/)
  })

  test('error: non-canonical integer', () => {
    const bytes = hexToBytes(concatHex(['0x00', toRlp([batch.parentHash, '0x0001', batch.epochHash, '0x01', []])]))
    expect(() => decodeBatch(bytes)).toThrow(/leading zero/)
  })

  test('error: span batch without chain id', () => {
    expect(() => decodeBatch(Uint8Array.of(1, 0))).toThrow(/l2ChainId/)
  })

  test('behavior: transaction entries must be byte strings', () => {
    const bytes = hexToBytes(concatHex(['0x00', toRlp([batch.parentHash, '0x01', batch.epochHash, '0x01', [['0x01']]])]))
    expect(() => decodeBatch(bytes)).toThrow(ProtocolError)
  })
})


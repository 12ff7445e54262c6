import { hexToBytes, toRlp } from 'viem'
import { describe, expect, test } from 'vitest'
import { readUvarint, writeUvarint } from './bytes.js'
import { ProtocolError } from './errors.js'
import { asUint, decodeRlp } from './rlp.js'

describe('decodeRlp', () => {
  test('default: nested round trip', () => {
    const value = [hexToBytes('0x01'), [hexToBytes('0x'), hexToBytes(`0x${'ab'.repeat(60)}`)], hexToBytes('0x80')]
    expect(decodeRlp(toRlp(value, 'bytes'))).toEqual(value)
  })

  test('error: non-canonical encodings', () => {
    expect(() => decodeRlp(hexToBytes('0x8101'))).toThrow(/single byte/)
    expect(() => decodeRlp(hexToBytes(`0xb801${'00'}`))).toThrow(/long length/)
    expect(() => decodeRlp(hexToBytes(`0xb90038${'00'.repeat(56)}`))).toThrow(/leading zero/)
  })

  test('error: truncated and trailing', () => {
    expect(() => decodeRlp(hexToBytes('0x83aabb'))).toThrow(/exceeds/)
    expect(() => decodeRlp(hexToBytes('0xc10102'))).toThrow(/trailing/)
    expect(() => decodeRlp(hexToBytes('0xc28301'))).toThrow(ProtocolError)
  })

  test('behavior: asUint rejects leading zeros and oversize', () => {
    expect(asUint(hexToBytes('0x0100'), 8, 'x', 'INVALID_RLP')).toBe(256n)
    expect(() => asUint(hexToBytes('0x0001'), 8, 'x', 'INVALID_RLP')).toThrow(/leading zero/)
    expect(() => asUint(new Uint8Array(9).fill(1), 8, 'x', 'INVALID_RLP')).toThrow(/uint64/)
  })
})

describe('uvarint', () => {
  test('default: round trip', () => {
    for (const v of [0n, 1n, 127n, 128n, 300n, 2n ** 63n, 2n ** 64n - 1n]) {
      expect(readUvarint(writeUvarint(v), 0, 'v', 'INVALID_ARGUMENT')).toEqual({ value: v, end: writeUvarint(v).length })
    }
    expect([...writeUvarint(300)]).toEqual([0xac, 0x02])
  })

  test('error: overflow and truncation', () => {
    expect(() => readUvarint(Uint8Array.from([...new Array(9).fill(0xff), 0x02]), 0, 'v', 'INVALID_ARGUMENT')).toThrow(/overflows/)
    expect(() => readUvarint(Uint8Array.of(0x80), 0, 'v', 'INVALID_ARGUMENT')).toThrow(/end of data/)
  })
})

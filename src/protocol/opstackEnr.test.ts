import { bytesToHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeOpStackEntry, encodeOpStackEntry, opStackMismatch } from './opstackEnr.js'

describe('opstack ENR entry', () => {
  it('default: uvarint(chain id) ++ uvarint(0), as op-node writes it', () => {
    expect(bytesToHex(encodeOpStackEntry(901))).toBe('0x850700')
    expect(bytesToHex(encodeOpStackEntry(10))).toBe('0x0a00')
    expect(decodeOpStackEntry(encodeOpStackEntry(11155420))).toEqual({ chainId: 11155420n, version: 0n })
  })

  it('behavior: a matching entry qualifies the peer', () => {
    expect(opStackMismatch(encodeOpStackEntry(901), 901)).toBeUndefined()
  })

  it('error: another chain, another version, no entry or bad bytes are rejected', () => {
    expect(opStackMismatch(encodeOpStackEntry(902), 901)).toBe('opstack chain id 902, expected 901')
    expect(opStackMismatch(Uint8Array.from([0x85, 0x07, 0x01]), 901)).toBe('opstack version 1, expected 0')
    expect(opStackMismatch(undefined, 901)).toBe('no opstack entry')
    expect(opStackMismatch(Uint8Array.from([0x85]), 901)).toMatch(/unexpected end of data/)
    expect(opStackMismatch(Uint8Array.from([0x85, 0x07, 0x00, 0x00]), 901)).toMatch(/1 trailing bytes/)
  })
})

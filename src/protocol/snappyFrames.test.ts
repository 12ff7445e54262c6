import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { crc32c, decodeSnappyFramed, encodeSnappyFramed } from './snappyFrames.js'

const STREAM_ID = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]
const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]

describe('crc32c', () => {
  test('default: RFC 3720 B.4 vectors', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
  })
})

describe('decodeSnappyFramed', () => {
  test('default: a hand-built stream with an uncompressed chunk of 32 zero bytes', () => {
    const stream = Uint8Array.from([...STREAM_ID, 0x01, 36, 0, 0, ...le32(mask(0x8a9136aa)), ...new Array(32).fill(0)])
    expect(decodeSnappyFramed(stream, 100)).toEqual(new Uint8Array(32))
  })

  test('behavior: padding and reserved skippable chunks are skipped', () => {
    const stream = Uint8Array.from([...STREAM_ID, 0xfe, 2, 0, 0, 9, 9, 0x80, 1, 0, 0, 7, 0x01, 36, 0, 0, ...le32(mask(0x8a9136aa)), ...new Array(32).fill(0)])
    expect(decodeSnappyFramed(stream, 100)).toEqual(new Uint8Array(32))
  })

  test('error: checksum mismatch, missing identifier, unskippable chunk, truncation, size limit', () => {
    const good = Uint8Array.from([...STREAM_ID, 0x01, 36, 0, 0, ...le32(mask(0x8a9136aa)), ...new Array(32).fill(0)])
    const badCrc = good.slice()
    badCrc[14] ^= 1
    expect(() => decodeSnappyFramed(badCrc, 100)).toThrow(/checksum mismatch/)
    expect(() => decodeSnappyFramed(good.subarray(10), 100)).toThrow(/does not start with the sNaPpY identifier/)
    expect(() => decodeSnappyFramed(Uint8Array.from([...STREAM_ID, 0x02, 0, 0, 0]), 100)).toThrow(/reserved unskippable chunk type 0x2/)
    expect(() => decodeSnappyFramed(good.subarray(0, good.length - 1), 100)).toThrow(/declares 36 bytes, 35 left/)
    expect(() => decodeSnappyFramed(good, 31)).toThrow(/exceeds 31 bytes/)
    expect(() => decodeSnappyFramed(new Uint8Array(0), 100)).toThrow(/empty stream/)
  })
})

describe('encodeSnappyFramed', () => {
  test('default: identifier first, compressible data in a compressed chunk, round trip', () => {
    const data = new Uint8Array(1000).fill(7)
    const framed = encodeSnappyFramed(data)
    expect([...framed.subarray(0, 10)]).toEqual(STREAM_ID)
    expect(framed[10]).toBe(0x00)
    expect(framed.length).toBeLessThan(100)
    expect(decodeSnappyFramed(framed, 1000)).toEqual(data)
  })

  test('args: incompressible data goes uncompressed, and blocks split at 64 KiB', () => {
    const data = new Uint8Array(randomBytes(70_000))
    const framed = encodeSnappyFramed(data)
    expect(framed[10]).toBe(0x01)
    const firstLen = framed[11] | (framed[12] << 8) | (framed[13] << 16)
    expect(firstLen).toBe(65536 + 4)
    expect(decodeSnappyFramed(framed, 70_000)).toEqual(data)
    expect([...encodeSnappyFramed(new Uint8Array(0))]).toEqual(STREAM_ID)
  })
})

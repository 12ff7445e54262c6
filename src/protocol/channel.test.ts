import zlib from 'node:zlib'
import { bytesToHex, concatBytes, hexToBytes, toRlp, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { decodeChannel, encodeChannel, randomChannelId, splitChannelIntoFrames } from './channel.js'
import { ProtocolError } from './errors.js'

const batches = [hexToBytes('0x00c0'), Uint8Array.of(0x01, ...new Uint8Array(100).fill(7)), Uint8Array.of(0x7f)]
const rawStream = (bs: Uint8Array[]): Uint8Array => concatBytes(bs.map((b) => toRlp(b, 'bytes')))

describe('encodeChannel / decodeChannel', () => {
  test('default', () => {
    const channel = encodeChannel(batches)
    expect(channel[0] & 0x0f).toBe(8)
    expect(new Uint8Array(zlib.inflateSync(channel))).toEqual(rawStream(batches))
    expect(decodeChannel(channel, 10_000_000)).toEqual(batches)
  })

  test('behavior: decodes a zlib stream made independently', () => {
    const channel = new Uint8Array(zlib.deflateSync(rawStream(batches), { level: 1 }))
    expect(decodeChannel(channel, 10_000_000)).toEqual(batches)
  })

  test('args: brotli', () => {
    const channel = encodeChannel(batches, { compression: 'brotli' })
    expect(channel[0]).toBe(1)
    expect(decodeChannel(channel, 10_000_000)).toEqual(batches)
  })

  test('error: brotli before Fjord', () => {
    const channel = encodeChannel(batches, { compression: 'brotli' })
    expect(() => decodeChannel(channel, 10_000_000, { allowBrotli: false })).toThrow(/Fjord/)
  })

  test('error: unknown compression byte', () => {
    expect(() => decodeChannel(Uint8Array.of(0x02, 1, 2), 1000)).toThrow(/compression byte 0x02/)
  })

  test('error: bad zlib', () => {
    expect(() => decodeChannel(Uint8Array.of(0x78, 0x9c, 1, 2, 3, 4, 5, 6, 7), 1000)).toThrow(ProtocolError)
  })

  test('behavior: truncated stream yields the complete batches before the cut', () => {
    const big = [Uint8Array.of(0, ...new Uint8Array(64).fill(1)), ...Array.from({ length: 50 }, (_, i) => Uint8Array.of(0, ...new Uint8Array(300).map((_, j) => (i * j) & 0xff)))]
    const channel = encodeChannel(big)
    const out = decodeChannel(channel.subarray(0, Math.floor(channel.length / 2)), 10_000_000)
    expect(out.length).toBeGreaterThan(0)
    expect(out.length).toBeLessThan(big.length)
    expect(out).toEqual(big.slice(0, out.length))
  })

  test('behavior: stops at the RLP byte cap', () => {
    let seed = 12345
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff
    const items = Array.from({ length: 10 }, () => new Uint8Array(100).map(rnd))
    const channel = encodeChannel(items)
    // each item is 2 + 100 bytes of RLP; a 350-byte cap fits three
    expect(decodeChannel(channel, 350)).toEqual(items.slice(0, 3))
  })

  test('behavior: stops at a list element', () => {
    const raw = concatBytes([toRlp(batches[0], 'bytes'), toRlp([batches[1]], 'bytes'), toRlp(batches[2], 'bytes')])
    expect(decodeChannel(new Uint8Array(zlib.deflateSync(raw)), 1000)).toEqual([batches[0]])
  })
})

describe('splitChannelIntoFrames', () => {
  const id: Hex = '0x0102030405060708090a0b0c0d0e0f10'

  test('default', () => {
    const data = new Uint8Array(25).map((_, i) => i)
    const frames = splitChannelIntoFrames(id, data, 10)
    expect(frames.map((f) => [f.frameNumber, f.data.length, f.isLast])).toEqual([
      [0, 10, false],
      [1, 10, false],
      [2, 5, true],
    ])
    expect(concatBytes(frames.map((f) => f.data))).toEqual(data)
  })

  test('behavior: empty data gives one closing frame', () => {
    expect(splitChannelIntoFrames(id, new Uint8Array(), 10)).toEqual([{ channelId: id, frameNumber: 0, data: new Uint8Array(), isLast: true }])
  })

  test('error: frame size out of range', () => {
    expect(() => splitChannelIntoFrames(id, new Uint8Array(1), 0)).toThrow(ProtocolError)
    expect(() => splitChannelIntoFrames(id, new Uint8Array(1), 1_000_001)).toThrow(ProtocolError)
  })
})

test('randomChannelId', () => {
  const a = randomChannelId()
  expect(a).toMatch(/^0x[0-9a-f]{32}$/)
  expect(a).not.toBe(randomChannelId())
  expect(bytesToHex(hexToBytes(a))).toBe(a)
})

import { bytesToHex, concatHex, hexToBytes, numberToHex, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { ProtocolError } from './errors.js'
import { decodeFrame, encodeBatcherTxData, encodeFrame, parseBatcherTxData, type Frame } from './frame.js'

const ID: Hex = '0x00112233445566778899aabbccddeeff'

/** Builds a frame by hand from the spec layout. */
function handFrame(id: Hex, num: number, data: Hex, last: number): Hex {
  const len = (data.length - 2) / 2
  return concatHex([id, numberToHex(num, { size: 2 }), numberToHex(len, { size: 4 }), data, numberToHex(last, { size: 1 })])
}

describe('encodeFrame', () => {
  test('default', () => {
    const f: Frame = { channelId: ID, frameNumber: 3, data: hexToBytes('0xdeadbeef'), isLast: true }
    expect(bytesToHex(encodeFrame(f))).toBe(handFrame(ID, 3, '0xdeadbeef', 1))
    expect(encodeFrame(f).length).toBe(23 + 4)
  })

  test('error: frame number beyond uint16', () => {
    expect(() => encodeFrame({ channelId: ID, frameNumber: 65536, data: new Uint8Array(), isLast: false })).toThrow(ProtocolError)
  })

  test('error: channel id not 16 bytes', () => {
    expect(() => encodeFrame({ channelId: '0x00', frameNumber: 0, data: new Uint8Array(), isLast: false })).toThrow(/16 bytes/)
  })

  test('error: data too large', () => {
    expect(() => encodeFrame({ channelId: ID, frameNumber: 0, data: new Uint8Array(1_000_001), isLast: false })).toThrow(/exceeds/)
  })
})

describe('encodeBatcherTxData / parseBatcherTxData', () => {
  const frames: Frame[] = [
    { channelId: ID, frameNumber: 0, data: hexToBytes('0x0102'), isLast: false },
    { channelId: ID, frameNumber: 1, data: new Uint8Array(), isLast: true },
  ]

  test('default', () => {
    const data = encodeBatcherTxData(frames)
    expect(data).toBe(concatHex(['0x00', handFrame(ID, 0, '0x0102', 0), handFrame(ID, 1, '0x', 1)]))
    expect(parseBatcherTxData(data)).toEqual(frames)
    expect(parseBatcherTxData(hexToBytes(data))).toEqual(frames)
  })

  test('behavior: decodeFrame reports the end offset', () => {
    const bytes = hexToBytes(handFrame(ID, 7, '0xaa', 0))
    expect(decodeFrame(bytes)).toEqual({ frame: { channelId: ID, frameNumber: 7, data: Uint8Array.of(0xaa), isLast: false }, end: 24 })
  })

  test('error: unknown version byte', () => {
    expect(() => parseBatcherTxData(concatHex(['0x01', handFrame(ID, 0, '0x', 1)]))).toThrow(/version byte 0x01/)
  })

  test('error: empty data and version byte only', () => {
    expect(() => parseBatcherTxData('0x')).toThrow(ProtocolError)
    expect(() => parseBatcherTxData('0x00')).toThrow(/no frames/)
  })

  test('error: truncated frame', () => {
    const good = handFrame(ID, 0, '0x010203', 1)
    expect(() => parseBatcherTxData(concatHex(['0x00', good.slice(0, -4) as Hex]))).toThrow(/truncated/)
  })

  test('error: is_last = 2', () => {
    expect(() => parseBatcherTxData(concatHex(['0x00', handFrame(ID, 0, '0x01', 2)]))).toThrow(/is_last/)
  })

  test('error: frame_data_length over 1,000,000', () => {
    const header = concatHex(['0x00', ID, '0x0000', numberToHex(1_000_001, { size: 4 })])
    expect(() => parseBatcherTxData(header)).toThrow(/exceeds/)
  })

  test('error: garbage after frames drops the whole transaction', () => {
    const data = concatHex(['0x00', handFrame(ID, 0, '0x01', 0), handFrame(ID, 1, '0x02', 1), '0xffff'])
    expect(() => parseBatcherTxData(data)).toThrow(ProtocolError)
  })

  test('error: encoding no frames', () => {
    expect(() => encodeBatcherTxData([])).toThrow(/at least one frame/)
  })
})

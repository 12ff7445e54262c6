import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { ChannelBank } from './channel.js'
import type { Frame } from './frame.js'
import { testRollupConfig } from './testConfig.js'
import type { RollupConfig } from './types.js'

const config = (overrides: Partial<RollupConfig> = {}): RollupConfig => testRollupConfig(overrides, 0)

const A: Hex = `0x${'aa'.repeat(16)}`
const B: Hex = `0x${'bb'.repeat(16)}`
const f = (channelId: Hex, frameNumber: number, data: number[] | Uint8Array, isLast = false): Frame => ({
  channelId,
  frameNumber,
  data: data instanceof Uint8Array ? data : Uint8Array.from(data),
  isLast,
})
const at = (number: number, timestamp = number * 12) => ({ number, timestamp })

describe('ChannelBank', () => {
  test('default: out-of-order frames are reassembled', () => {
    const bank = new ChannelBank(config({ canyon_time: 0 }))
    bank.addFrame(f(A, 2, [5], true), at(1))
    bank.addFrame(f(A, 0, [1, 2]), at(1))
    expect(bank.nextReadyChannel(at(1))).toBeUndefined()
    bank.addFrame(f(A, 1, [3, 4]), at(2))
    expect(bank.nextReadyChannel(at(2))).toEqual({ id: A, data: Uint8Array.from([1, 2, 3, 4, 5]), openL1Number: 1 })
    expect(bank.nextReadyChannel(at(2))).toBeUndefined()
    expect(bank.size).toBe(0)
  })

  test('behavior: duplicate frames are dropped (first wins)', () => {
    const bank = new ChannelBank(config())
    expect(bank.addFrame(f(A, 0, [1]), at(1))).toBe('added')
    expect(bank.addFrame(f(A, 0, [9]), at(1))).toBe('duplicate')
    bank.addFrame(f(A, 1, [2], true), at(1))
    expect(bank.nextReadyChannel(at(1))?.data).toEqual(Uint8Array.from([1, 2]))
  })

  test('behavior: closing frame drops higher frames; later frames and closes are ignored', () => {
    const bank = new ChannelBank(config())
    bank.addFrame(f(A, 0, [1]), at(1))
    bank.addFrame(f(A, 3, [4]), at(1))
    expect(bank.size).toBe(2 * 201)
    expect(bank.addFrame(f(A, 1, [2], true), at(1))).toBe('added')
    expect(bank.size).toBe(2 * 201)
    expect(bank.addFrame(f(A, 2, [3]), at(1))).toBe('after-close')
    expect(bank.addFrame(f(A, 0, [1], true), at(1))).toBe('duplicate-close')
    expect(bank.nextReadyChannel(at(1))?.data).toEqual(Uint8Array.from([1, 2]))
  })

  test('behavior: timed-out channels are pruned and reject frames', () => {
    const bank = new ChannelBank(config({ channel_timeout: 5 }))
    bank.addFrame(f(A, 0, [1]), at(10))
    expect(bank.addFrame(f(A, 1, [2], true), at(16))).toBe('timed-out')
    expect(bank.nextReadyChannel(at(16))).toBeUndefined()
    expect(bank.channelCount).toBe(0)
  })

  test('behavior: a channel closed exactly at the timeout is still read', () => {
    const bank = new ChannelBank(config({ channel_timeout: 5 }))
    bank.addFrame(f(A, 0, [1]), at(10))
    bank.addFrame(f(A, 1, [2], true), at(15))
    expect(bank.nextReadyChannel(at(15))?.openL1Number).toBe(10)
  })

  test('behavior: Granite timeout (50) keyed by the L1 time', () => {
    const bank = new ChannelBank(config({ channel_timeout: 300, granite_time: 0 }))
    bank.addFrame(f(A, 0, [1]), at(10))
    expect(bank.addFrame(f(A, 1, [2], true), at(61))).toBe('timed-out')
  })

  test('behavior: pre-Canyon only the first channel may be read', () => {
    const bank = new ChannelBank(config())
    bank.addFrame(f(A, 0, [1]), at(1))
    bank.addFrame(f(B, 0, [2], true), at(1))
    expect(bank.nextReadyChannel(at(1))).toBeUndefined()
    bank.addFrame(f(A, 1, [3], true), at(2))
    expect(bank.nextReadyChannel(at(2))?.id).toBe(A)
    expect(bank.nextReadyChannel(at(2))?.id).toBe(B)
  })

  test('behavior: Canyon returns the first ready channel in open order', () => {
    const bank = new ChannelBank(config({ canyon_time: 0 }))
    bank.addFrame(f(A, 0, [1]), at(1))
    bank.addFrame(f(B, 0, [2], true), at(1))
    expect(bank.nextReadyChannel(at(1))?.id).toBe(B)
    expect(bank.nextReadyChannel(at(1))).toBeUndefined()
  })

  test('behavior: size cap prunes oldest channels first', () => {
    const bank = new ChannelBank(config())
    bank.addFrame(f(A, 0, new Uint8Array(60_000_000)), at(1))
    bank.addFrame(f(B, 0, new Uint8Array(50_000_000)), at(1))
    expect(bank.channelCount).toBe(1)
    expect(bank.size).toBe(50_000_200)
  })

  test('behavior: reset empties the bank', () => {
    const bank = new ChannelBank(config())
    bank.addFrame(f(A, 0, [1], true), at(1))
    bank.reset()
    expect(bank.size).toBe(0)
    expect(bank.nextReadyChannel(at(1))).toBeUndefined()
  })
})

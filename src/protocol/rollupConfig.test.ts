import { describe, expect, test } from 'vitest'
import {
  channelTimeout,
  isEcotoneButNotFirstBlock,
  isForkActivationBlock,
  isForkActive,
  isIsthmusButNotFirstBlock,
  maxChannelBankSize,
  maxRlpBytesPerChannel,
  maxSequencerDrift,
} from './rollupConfig.js'
import { testRollupConfig } from './testConfig.js'
import type { RollupConfig } from './types.js'

const cfg = (o: Partial<RollupConfig> = {}): RollupConfig => testRollupConfig(o)

describe('isForkActive', () => {
  test('default', () => {
    expect(isForkActive(cfg({ ecotone_time: 100 }), 'ecotone', 99)).toBe(false)
    expect(isForkActive(cfg({ ecotone_time: 100 }), 'ecotone', 100)).toBe(true)
  })

  test('behavior: unscheduled (missing or null) forks are inactive', () => {
    expect(isForkActive(cfg(), 'isthmus', 1e12)).toBe(false)
    expect(isForkActive(cfg({ isthmus_time: null as unknown as number }), 'isthmus', 1e12)).toBe(false)
  })
})

describe('activation blocks', () => {
  test('default', () => {
    const c = cfg({ ecotone_time: 1010, isthmus_time: 1020 })
    expect(isForkActivationBlock(c, 'ecotone', 1010)).toBe(true)
    expect(isEcotoneButNotFirstBlock(c, 1010)).toBe(false)
    expect(isEcotoneButNotFirstBlock(c, 1012)).toBe(true)
    expect(isEcotoneButNotFirstBlock(c, 1008)).toBe(false)
    expect(isIsthmusButNotFirstBlock(c, 1020)).toBe(false)
    expect(isIsthmusButNotFirstBlock(c, 1022)).toBe(true)
  })

  test('behavior: fork time between blocks activates at the first block past it', () => {
    const c = cfg({ ecotone_time: 1011 })
    expect(isForkActivationBlock(c, 'ecotone', 1012)).toBe(true)
    expect(isEcotoneButNotFirstBlock(c, 1014)).toBe(true)
  })

  test('behavior: fork at genesis has no activation block after genesis', () => {
    const c = cfg({ ecotone_time: 0 })
    expect(isEcotoneButNotFirstBlock(c, 1002)).toBe(true)
    expect(isForkActivationBlock(c, 'ecotone', 1000)).toBe(false)
  })
})

describe('fork-dependent parameters', () => {
  test('maxSequencerDrift', () => {
    expect(maxSequencerDrift(cfg({ fjord_time: 50 }), 49)).toBe(600)
    expect(maxSequencerDrift(cfg({ fjord_time: 50 }), 50)).toBe(1800)
  })

  test('channelTimeout', () => {
    expect(channelTimeout(cfg({ granite_time: 50 }), 49)).toBe(300)
    expect(channelTimeout(cfg({ granite_time: 50 }), 50)).toBe(50)
  })

  test('maxRlpBytesPerChannel and maxChannelBankSize', () => {
    expect(maxRlpBytesPerChannel(cfg(), 0)).toBe(10_000_000)
    expect(maxRlpBytesPerChannel(cfg({ fjord_time: 0 }), 0)).toBe(100_000_000)
    expect(maxChannelBankSize(cfg(), 0)).toBe(100_000_000)
    expect(maxChannelBankSize(cfg({ fjord_time: 0 }), 0)).toBe(1_000_000_000)
  })
})

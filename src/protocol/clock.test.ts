import { describe, expect, test } from 'vitest'
import { chainDuration, chainTime, clockEnv, clockFromEnv, devnetClock, speedProblem, wallDuration, wallTime, WALL_CLOCK } from './clock.js'

describe('devnet clock', () => {
  test('default: speed 1 is the wall clock, whatever the origin', () => {
    const clock = devnetClock(1_000_000)
    expect(clock.speed).toBe(1)
    expect(chainTime(clock, 1_234_567)).toBe(1_234_567)
    expect(wallTime(clock, 1_234_567)).toBe(1_234_567)
    expect(clockEnv(clock)).toEqual({})
  })

  test('behavior: at speed 4 chain time runs 4x from the origin', () => {
    const clock = devnetClock(1_000_000, 4)
    expect(chainTime(clock, 1_000_000)).toBe(1_000_000)
    expect(chainTime(clock, 1_002_000)).toBe(1_008_000)
    expect(wallTime(clock, 1_008_000)).toBe(1_002_000)
    expect(wallDuration(clock, 2_000)).toBe(500)
    expect(chainDuration(clock, 500)).toBe(2_000)
  })

  test('behavior: the environment round-trips', () => {
    const clock = devnetClock(1_700_000_000_000, 4)
    expect(clockFromEnv(clockEnv(clock))).toEqual(clock)
    expect(clockFromEnv({})).toEqual(WALL_CLOCK)
  })

  test('error: unsupported speeds', () => {
    for (const speed of [0, 0.5, -1, 17, Number.NaN]) expect(speedProblem(speed)).toMatch(/speed must be a number from 1 to 16/)
    expect(() => devnetClock(0, 0)).toThrow(/speed must be/)
    expect(speedProblem(2.5)).toBeUndefined()
  })

  test('error: a bad environment names the variable', () => {
    expect(() => clockFromEnv({ DEVNET_CLOCK_SPEED: 'fast' })).toThrow(/DEVNET_CLOCK_SPEED: speed must be/)
    expect(() => clockFromEnv({ DEVNET_CLOCK_SPEED: '4' })).toThrow(/DEVNET_CLOCK_ORIGIN: must be the clock origin/)
  })
})

import { InvalidArgumentError } from 'commander'
import { describe, expect, test } from 'vitest'
import { options } from './options.js'

describe('--speed', () => {
  test('default: 1 (the wall clock)', () => {
    expect(options.speed().defaultValue).toBe(1)
  })

  test('args: a number from 1 to 16', () => {
    expect(options.speed().parseArg!('4', 1)).toBe(4)
    expect(options.speed().parseArg!('2.5', 1)).toBe(2.5)
  })

  test('error: out of range or not a number', () => {
    for (const value of ['0', '17', 'fast', '']) expect(() => options.speed().parseArg!(value, 1)).toThrow(InvalidArgumentError)
    expect(() => options.speed().parseArg!('0', 1)).toThrow('speed must be a number from 1 to 16, got 0')
  })
})

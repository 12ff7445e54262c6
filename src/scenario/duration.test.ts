import { expect, test } from 'vitest'
import { formatDuration, parseDuration } from './duration.js'

test('default: parseDuration', () => {
  expect(parseDuration('500ms')).toBe(500)
  expect(parseDuration('30s')).toBe(30_000)
  expect(parseDuration('1.5s')).toBe(1500)
  expect(parseDuration('2m')).toBe(120_000)
  expect(parseDuration('1h')).toBe(3_600_000)
  for (const bad of ['30', 's', '0s', '-1s', '1 m', '1d', '']) expect(parseDuration(bad)).toBeUndefined()
})

test('behavior: formatDuration picks the largest whole unit', () => {
  expect([500, 1500, 30_000, 90_000, 120_000, 3_600_000].map(formatDuration)).toEqual(['500ms', '1500ms', '30s', '90s', '2m', '1h'])
})

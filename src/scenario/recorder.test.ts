import { describe, expect, test } from 'vitest'
import { statusTimeoutMs } from './recorder.js'

describe('statusTimeoutMs', () => {
  test('behavior: 3 s of chain time, so a silent node holds a round under the 6 s liveness bound; never under 1 s of wall', () => {
    expect([1, 2, 3, 4, 8, 16].map(statusTimeoutMs)).toEqual([3000, 1500, 1000, 1000, 1000, 1000])
    // Up to speed 4 a round held by a silent node spans at most 4 chain s: a frozen node is seen within the bound.
    for (const speed of [1, 2, 4]) expect(statusTimeoutMs(speed) * speed).toBeLessThanOrEqual(4000)
  })
})

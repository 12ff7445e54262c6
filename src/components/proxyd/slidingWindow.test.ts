import { expect, test } from 'vitest'
import { SlidingWindow } from './slidingWindow.js'

test('behavior: sums and averages the values of the last window, dropping whole buckets as they age out', () => {
  let now = 10_000
  const w = new SlidingWindow(5_000, 1_000, () => now)
  expect([w.sum(), w.avg()]).toEqual([0, 0])
  w.add(2)
  w.add(4)
  now += 2_000
  w.add(6)
  expect([w.sum(), w.avg()]).toEqual([12, 4])
  now += 3_500 // the first bucket (10 s) is now older than 5 s
  expect([w.sum(), w.avg()]).toEqual([6, 6])
  now += 2_000
  expect([w.sum(), w.avg()]).toEqual([0, 0])
  w.add(1)
  expect([w.sum(), w.avg()]).toEqual([1, 1])
})

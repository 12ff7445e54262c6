import { describe, expect, test } from 'vitest'
import { describeStalls, STALL_WALL_MS, stalledAfter, StallWatch } from './stallWatch.js'

const busy = (ms: number) => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    // The event loop does not run: as on a paused host, no timer fires.
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('StallWatch', () => {
  test('behavior: a span in which the event loop did not run for STALL_WALL_MS or more is recorded, in chain ms', async () => {
    const started = Date.now()
    const watch = new StallWatch((wallMs) => (wallMs - started) * 4)
    watch.start()
    await sleep(300)
    const blockedAt = Date.now()
    busy(STALL_WALL_MS + 200)
    await sleep(300)
    watch.stop()
    // The blocked span (a loaded machine may add others: the test does not own the CPU).
    const stall = watch.stalls.find((s) => s.wallMs >= STALL_WALL_MS + 200)
    expect(stall, JSON.stringify(watch.stalls)).toBeDefined()
    // Speed 4: the chain span is four times the wall span, from the last tick before the block.
    expect(stall!.to - stall!.from).toBe(stall!.wallMs * 4)
    expect(stall!.from).toBeLessThanOrEqual((blockedAt - started) * 4)
    expect(stall!.to).toBeGreaterThanOrEqual((blockedAt + STALL_WALL_MS + 200 - started) * 4)
  })

  test('default: ticks late by less than STALL_WALL_MS are no stall; one at STALL_WALL_MS is', () => {
    let now = 0
    const watch = new StallWatch((wallMs) => wallMs, () => now)
    watch.start()
    const gaps = [100, 100, STALL_WALL_MS - 1, 100]
    for (const gap of gaps) {
      now += gap
      watch.tick()
    }
    expect(watch.stalls).toEqual([])
    now += STALL_WALL_MS
    watch.tick()
    const last = gaps.reduce((a, b) => a + b, 0)
    expect(watch.stalls).toEqual([{ from: last, to: last + STALL_WALL_MS, wallMs: STALL_WALL_MS }])
    watch.stop()
  })

  test('behavior: stop looks once more, so a stall that ends with the run is kept', () => {
    let now = 10_000
    const watch = new StallWatch((wallMs) => wallMs - 10_000, () => now)
    watch.start()
    now += 5000
    watch.stop()
    expect(watch.stalls).toEqual([{ from: 0, to: 5000, wallMs: 5000 }])
    watch.stop()
    expect(watch.stalls).toHaveLength(1)
  })
})

describe('describeStalls', () => {
  test('default: nothing without stalls; otherwise how many and how long', () => {
    expect(describeStalls(undefined)).toBeUndefined()
    expect(describeStalls([])).toBeUndefined()
    expect(describeStalls([{ from: 0, to: 56_000, wallMs: 14_000 }])).toBe('the host stalled once, 14.0 s of wall in all (nothing ran: a paused machine?); liveness not judged then')
    expect(describeStalls([{ from: 0, to: 1000, wallMs: 1000 }, { from: 5000, to: 6500, wallMs: 1500 }])).toMatch(/^the host stalled 2 times, 2\.5 s of wall/)
  })
})

describe('stalledAfter', () => {
  test('behavior: counts the part of each stall after t', () => {
    const stalls = [{ from: 1000, to: 3000, wallMs: 2000 }, { from: 5000, to: 6000, wallMs: 1000 }]
    expect(stalledAfter(stalls, 0)).toBe(3000)
    expect(stalledAfter(stalls, 2000)).toBe(2000)
    expect(stalledAfter(stalls, 5500)).toBe(500)
    expect(stalledAfter(stalls, 7000)).toBe(0)
    expect(stalledAfter([], 0)).toBe(0)
  })
})

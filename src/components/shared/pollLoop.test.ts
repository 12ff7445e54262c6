import { expect, test } from 'vitest'
import type { Logger } from './log.js'
import { pollLoop } from './pollLoop.js'

const quiet = (warnings: string[]): Logger => ({ debug: () => {}, info: () => {}, error: () => {}, warn: (msg) => void warnings.push(msg) })
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10))
}

test('behavior: wake runs the next round at once; stop ends after the round in flight', async () => {
  let ticks = 0
  const loop = pollLoop('x', async () => void ticks++, 60_000, quiet([]))
  await until(() => ticks === 1)
  loop.wake()
  await until(() => ticks === 2)
  expect(ticks).toBe(2)
  await loop.stop()
  loop.wake()
  await new Promise((r) => setTimeout(r, 20))
  expect(ticks).toBe(2)
})

test('error: failing rounds are retried, and logged once per 20 in a row', async () => {
  const warnings: string[] = []
  let ticks = 0
  const loop = pollLoop('batcher', async () => {
    ticks++
    throw new Error('no L1')
  }, 0, quiet(warnings))
  await until(() => ticks >= 25)
  await loop.stop()
  expect(warnings.slice(0, 2)).toEqual(['batcher round failed', 'batcher round failed'])
  expect(warnings.length).toBe(Math.ceil(ticks / 20))
})

test('behavior: a round cut short by the stop (its waits aborted) ends the loop without a warning', async () => {
  const warnings: string[] = []
  const stopping = new AbortController()
  let started = false
  const loop = pollLoop('proposer', async () => {
    started = true
    await new Promise((_, reject) => stopping.signal.addEventListener('abort', () => reject(stopping.signal.reason)))
  }, 0, quiet(warnings))
  await until(() => started)
  stopping.abort()
  await loop.stop()
  expect(warnings).toEqual([])
})

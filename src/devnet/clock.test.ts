/**
 * `sequencersCaughtUp`, the start's wait (L1 held) for the sequencer to catch up with the devnet clock,
 * against a rollup RPC whose head follows a script: caught up at once, catching up, and stalled.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, test } from 'vitest'
import { planDevnet } from '../plan/plan.js'
import { defaultTopology } from '../topology/defaults.js'
import { sequencersCaughtUp } from './clock.js'

let server: Server | undefined
afterEach(async () => {
  const open = server
  server = undefined
  if (open) await new Promise((r) => open.close(r))
})

/** A rollup node answering `optimism_syncStatus` with an unsafe head at `timestamp()` (seconds). */
async function rollup(timestamp: () => number): Promise<string> {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c))
    req.on('end', () => {
      const { id } = JSON.parse(body) as { id: number }
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result: { unsafe_l2: { number: 1, timestamp: timestamp() } } }))
    })
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const speed = 4
const origin = Math.floor((Date.now() - 10_000) / 1000) * 1000 // the clock shows about 30 s more than the wall
// The default topology: its sequencer sequences from the start, with 2 s blocks.
const plan = planDevnet(defaultTopology(), { runtime: 'process', genesisTime: origin / 1000, speed })
const chainNowS = () => (origin + (Date.now() - origin) * speed) / 1000
const wait = async (url: string) => {
  const t0 = Date.now()
  const behind = await sequencersCaughtUp(plan, { sequencer: { rollup: url } }, { timeoutMs: 10_000, stallMs: 500 })
  return { caughtUp: behind.length === 0, behind, ms: Date.now() - t0 }
}

test('behavior: a head within one L2 block of the clock (chain time, at speed 4) ends the wait at once', async () => {
  const { caughtUp, ms } = await wait(await rollup(() => Math.floor(chainNowS())))
  expect(caughtUp).toBe(true)
  expect(ms).toBeLessThan(1_000)
})

test('behavior: a head gaining on the clock is waited for until it is caught up', async () => {
  const t0 = Date.now()
  // 20 chain seconds behind, gaining 10 chain seconds per wall second: caught up after about 2 s.
  const { caughtUp, ms } = await wait(await rollup(() => Math.floor(chainNowS() - 20 + ((Date.now() - t0) / 1000) * 10)))
  expect(caughtUp).toBe(true)
  expect(ms).toBeGreaterThan(1_500)
})

test('error: a head that does not gain on the clock ends the wait after stallMs, not the timeout', async () => {
  const { caughtUp, behind, ms } = await wait(await rollup(() => Math.floor(origin / 1000)))
  expect(caughtUp).toBe(false)
  // The head stays at the origin: 10 s of wall at speed 4 is 40 s of chain, 20 blocks of 2 s (more as the clock moves on).
  expect(behind).toEqual([{ node: 'sequencer', blocksBehind: expect.any(Number) }])
  expect(behind[0]!.blocksBehind).toBeGreaterThanOrEqual(20)
  expect(ms).toBeLessThan(3_000)
})

test('error: a sequencer that does not answer ends the wait after stallMs', async () => {
  const url = await rollup(() => 0)
  await new Promise((r) => server!.close(r))
  server = undefined
  const { caughtUp, behind, ms } = await wait(url)
  expect(caughtUp).toBe(false)
  expect(behind).toEqual([{ node: 'sequencer', blocksBehind: Infinity }])
  expect(ms).toBeLessThan(3_000)
})

import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { startL1Clock } from '../components/l1-clock/index.js'
import { withAnvil } from '../devnet/throwawayAnvil.js'
import type { HistoryEvent } from '../devnet/history.js'
import { DevnetError } from '../errors.js'
import { devnetClock } from '../protocol/clock.js'
import { defaultTopology } from '../topology/defaults.js'
import { drawableFaults, faultPool } from '../chaos/schedule.js'
import { namesOf } from './checks.js'
import { newFaultState, type FaultContext, type FaultDevnet } from './context.js'
import { l1Halt, l1Resume } from './l1Halt.js'
import { l1Reorg } from './l1Reorg.js'

const topology = defaultTopology() // l1.blockTime 2

function context(endpoints: Record<string, Record<string, string>>, speed: number): FaultContext {
  const devnet = { topology, endpoints, clock: devnetClock(Date.now() - 10_000, speed) } as unknown as FaultDevnet
  const events: HistoryEvent[] = []
  return { devnet, state: newFaultState(), record: (e) => events.push({ t: 0, ...e }) }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('l1Halt / l1Resume through the L1 clock', () => {
  test('behavior: chaos draws l1Halt at any speed (the L1 clock stamps blocks on the devnet clock)', () => {
    expect(faultPool(namesOf(topology))).toContain('l1Halt')
    expect(faultPool(namesOf(topology, 4))).toContain('l1Halt')
    expect(drawableFaults()).toContain('l1Halt')
  })

  test('error: a devnet without an L1 clock: l1Halt says so, naming the service', async () => {
    const error = await l1Halt(context({ l1: { rpc: 'http://127.0.0.1:9' } }, 4)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetError)
    expect((error as DevnetError).message).toMatch(/this devnet has no l1-clock service: its L1 cannot be halted or resumed/)
  })

  test('behavior: l1Halt stops L1 blocks, l1Resume brings them back; an l1Reorg in between keeps it halted', async () => {
    await withAnvil(['--no-mining'], async (rpc) => {
      const running = await startL1Clock({ name: 'l1-clock', l1Rpc: rpc.url, blockTime: 1, genesisTime: Math.floor(Date.now() / 1000), held: false, host: '127.0.0.1', ports: { rpc: 0 } })
      try {
        const address = running.server.address()
        const ctx = context({ l1: { rpc: rpc.url }, 'l1-clock': { rpc: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` } }, 1)
        const blockNumber = async () => Number(await rpc.call<Hex>('eth_blockNumber'))
        for (const end = Date.now() + 3_000; (await blockNumber()) < 1 && Date.now() < end;) await sleep(50)
        await l1Halt(ctx)
        const halted = await blockNumber()
        expect(halted).toBeGreaterThanOrEqual(1)
        await sleep(1_500)
        expect(await blockNumber()).toBe(halted)
        // an l1Reorg holds L1 while it acts and lets it mine again only if it was mining: still halted
        await l1Reorg(ctx, { depth: 1 })
        await sleep(1_500)
        expect(await blockNumber()).toBe(halted)
        await l1Resume(ctx)
        for (const end = Date.now() + 3_000; (await blockNumber()) <= halted && Date.now() < end;) await sleep(50)
        expect(await blockNumber()).toBeGreaterThan(halted)
        // ... and mining, it mines again after the reorg
        const reorged = await l1Reorg(ctx, { depth: 1 })
        for (const end = Date.now() + 3_000; (await blockNumber()) <= reorged.head && Date.now() < end;) await sleep(50)
        expect(await blockNumber()).toBeGreaterThan(reorged.head)
      } finally {
        await running.stop()
      }
    })
  }, 30_000)
})

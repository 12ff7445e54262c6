import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { withAnvil } from '../devnet/throwawayAnvil.js'
import type { HistoryEvent } from '../devnet/history.js'
import { DevnetError } from '../errors.js'
import { devnetClock } from '../protocol/clock.js'
import { defaultTopology } from '../topology/defaults.js'
import { drawableFaults, faultPool } from '../chaos/schedule.js'
import { namesOf } from './checks.js'
import { newFaultState, type FaultContext, type FaultDevnet } from './context.js'
import { l1Halt, l1Resume } from './l1Halt.js'

const topology = defaultTopology() // l1.blockTime 2

function context(url: string, speed: number): FaultContext {
  const devnet = { topology, endpoints: { l1: { rpc: url } }, clock: devnetClock(Date.now() - 10_000, speed) } as unknown as FaultDevnet
  const events: HistoryEvent[] = []
  return { devnet, state: newFaultState(), record: (e) => events.push({ t: 0, ...e }) }
}

describe('l1Halt / l1Resume and the devnet clock', () => {
  test('error: at --speed 4 L1 mines every 0.5 s, which evm_setIntervalMining cannot restore: refused before acting', async () => {
    // Nothing listens there: had the fault acted, the error would be an RPC error.
    const error = await l1Halt(context('http://127.0.0.1:9', 4)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetError)
    expect((error as DevnetError).code).toBe('DEVNET_USAGE')
    expect((error as DevnetError).message).toMatch(/l1Halt\/l1Resume cannot run at --speed 4: L1 would mine every 0.5 s and anvil's evm_setIntervalMining takes whole seconds/)
  })

  test('behavior: chaos does not draw l1Halt at a speed it cannot run at', () => {
    expect(faultPool(namesOf(topology))).toContain('l1Halt')
    expect(faultPool(namesOf(topology, 4))).not.toContain('l1Halt')
    expect(faultPool(namesOf(topology, 2))).toContain('l1Halt')
    expect(drawableFaults()).toContain('l1Halt')
  })

  test('behavior: at --speed 2 l1Resume restarts L1 at the clock\'s now, blocks blockTime apart', async () => {
    await withAnvil(['--block-time', '1'], async (rpc) => {
      const url = rpc.url
      const ctx = context(url, 2)
      await l1Halt(ctx)
      const halted = Number(await rpc.call<Hex>('eth_blockNumber'))
      await l1Resume(ctx)
      const clockNow = (ctx.devnet.clock!.originMs + (Date.now() - ctx.devnet.clock!.originMs) * 2) / 1000
      for (let n = halted; n < halted + 2; n = Number(await rpc.call<Hex>('eth_blockNumber'))) await new Promise((r) => setTimeout(r, 200))
      const block = (n: number) => rpc.call<{ timestamp: Hex }>('eth_getBlockByNumber', [`0x${n.toString(16)}`, false]).then((b) => Number(b.timestamp))
      const [first, second] = [await block(halted + 1), await block(halted + 2)]
      // The clock runs 10 s x 2 ahead of the wall here: L1 time jumped to it.
      expect(first).toBeGreaterThanOrEqual(Math.floor(clockNow) - 1)
      expect(first).toBeGreaterThan(Date.now() / 1000 + 5)
      expect(second - first).toBe(2)
    })
  }, 30_000)
})

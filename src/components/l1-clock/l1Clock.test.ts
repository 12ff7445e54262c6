import type { ChildProcess } from 'node:child_process'
import type { Hex } from 'viem'
import { afterEach, describe, expect, test } from 'vitest'
import { anvilBinary } from '../../runtime/process/index.js'
import { chainTime, devnetClock, wallTime } from '../../protocol/clock.js'
import { spawnAnvil } from '../shared/anvil.js'
import { rpcClient, type RpcClient } from '../shared/jsonrpc.js'
import { logger } from '../shared/log.js'
import { L1Clock, slotAfter, slotToMine } from './l1Clock.js'
import { startL1Clock } from './index.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('slots', () => {
  const slots = { genesisTime: 100, blockTime: 2 }
  test('behavior: the block to mine takes the latest slot begun, after its parent', () => {
    expect(slotToMine(slots, 107, 103)).toBe(106)
    expect(slotToMine(slots, 106, 104)).toBe(106)
    // its slot is mined: wait for the next
    expect(slotToMine(slots, 107.9, 106)).toBeUndefined()
    // missed slots are skipped, not mined in a burst
    expect(slotToMine(slots, 131, 106)).toBe(130)
    // a parent stamped past the clock (an anvil_reorg branch): nothing until a later slot
    expect(slotToMine(slots, 108, 110)).toBeUndefined()
  })
  test('behavior: the slot after a timestamp', () => {
    expect(slotAfter(slots, 106)).toBe(108)
    expect(slotAfter(slots, 106.5)).toBe(108)
    expect(slotAfter(slots, 99)).toBe(100)
  })
})

describe('the L1 clock on a real anvil (--no-mining)', () => {
  const children: ChildProcess[] = []
  const stops: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop()
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })
  const anvil = async (): Promise<RpcClient> => {
    const started = await spawnAnvil(anvilBinary(), ['--no-mining'])
    children.push(started.child)
    return rpcClient(`http://127.0.0.1:${started.port}`)
  }
  const blockNumber = async (l1: RpcClient) => Number(await l1.call<Hex>('eth_blockNumber'))
  const timestamp = async (l1: RpcClient, n: number) => Number((await l1.call<{ timestamp: Hex }>('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])).timestamp)
  const until = async (what: () => Promise<boolean>, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (await what()) return
    throw new Error(`not within ${ms} ms`)
  }

  /** A held L1 clock over a fresh anvil, 2 s blocks, on a devnet clock at `speed` from now. */
  const clockAt = async (speed: number) => {
    const l1 = await anvil()
    const genesis = Math.floor(Date.now() / 1000)
    const clock = devnetClock(genesis * 1000, speed)
    const l1Clock = new L1Clock(l1, { genesisTime: genesis, blockTime: 2, now: () => chainTime(clock, Date.now()), untilMs: (ms) => wallTime(clock, ms) - Date.now() }, logger('test'))
    stops.push(async () => void (await l1Clock.halt()))
    return { l1, l1Clock, genesis }
  }

  test('behavior: at speed 4 it mines one block per slot of chain time, stamped on the slot grid; halted it mines nothing; resumed it jumps to the clock\'s now', async () => {
    const { l1, l1Clock, genesis } = await clockAt(4)
    await sleep(600)
    expect(await blockNumber(l1)).toBe(0) // nothing until resumed
    l1Clock.resume()
    await until(async () => (await blockNumber(l1)) >= 5, 5_000) // 0.5 s of wall time per block
    const stamps = await Promise.all([1, 2, 3, 4, 5].map((n) => timestamp(l1, n)))
    for (const t of stamps) expect((t - genesis) % 2).toBe(0)
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!).toBe(2)
    // L1 time is chain time, which runs ahead of the wall
    expect(stamps[4]).toBeGreaterThan(Date.now() / 1000 + 2)

    await l1Clock.halt()
    const halted = await blockNumber(l1)
    await sleep(1_200)
    expect(await blockNumber(l1)).toBe(halted)
    const lastBefore = await timestamp(l1, halted)
    l1Clock.resume()
    await until(async () => (await blockNumber(l1)) > halted, 2_000)
    // the halt lasted >= 1.2 s of wall time, >= 4.8 s of chain time: L1 time skipped the slots it missed
    // (at least the slot 4 s after the last one has begun; without the skip, the next block is 2 s later)
    expect((await timestamp(l1, halted + 1)) - lastBefore).toBeGreaterThanOrEqual(4)
    expect(l1Clock.status()).toMatchObject({ mining: true, lastTimestamp: await timestamp(l1, await blockNumber(l1)) })
  }, 20_000)

  test('behavior: blocks anvil stamps itself (an anvil_reorg branch) come blockTime apart, and mining goes on after them', async () => {
    const { l1, l1Clock, genesis } = await clockAt(8)
    l1Clock.resume()
    await until(async () => (await blockNumber(l1)) >= 4, 5_000)
    await l1Clock.halt()
    const head = await blockNumber(l1)
    await l1.call('anvil_reorg', [2, []])
    expect((await timestamp(l1, head)) - (await timestamp(l1, head - 1))).toBe(2)
    l1Clock.resume()
    await until(async () => (await blockNumber(l1)) >= head + 2, 5_000)
    expect(await timestamp(l1, head + 1)).toBeGreaterThan(await timestamp(l1, head))
  }, 20_000)

  test('error: an L1 that does not answer: the clock records the error and goes on trying, and mines once L1 answers', async () => {
    const l1 = await anvil()
    let reachable = false
    const flaky: RpcClient = { url: l1.url, call: (method, params, timeoutMs) => (reachable ? l1.call(method, params, timeoutMs) : Promise.reject(new Error('connect ECONNREFUSED'))) }
    const l1Clock = new L1Clock(flaky, { genesisTime: Math.floor(Date.now() / 1000), blockTime: 1, now: () => Date.now(), untilMs: (ms) => ms - Date.now() }, logger('test'))
    stops.push(async () => void (await l1Clock.halt()))
    l1Clock.resume()
    await until(async () => l1Clock.status().lastError !== undefined, 2_000)
    expect(l1Clock.status()).toMatchObject({ mining: true, mined: 0, lastError: 'connect ECONNREFUSED' })
    reachable = true
    await until(async () => l1Clock.status().mined >= 1, 3_000)
    expect(await blockNumber(l1)).toBeGreaterThanOrEqual(1)
    expect(l1Clock.status().lastError).toBeUndefined()
  }, 20_000)

  test('behavior: the program starts held and l1clock_resume starts it; restarted over an L1 with blocks it mines at once', async () => {
    const l1 = await anvil()
    const conf = { name: 'l1-clock', l1Rpc: l1.url, blockTime: 1, genesisTime: Math.floor(Date.now() / 1000), held: true, host: '127.0.0.1', ports: { rpc: 0 } }
    const first = await startL1Clock(conf)
    stops.push(() => first.stop())
    await sleep(1_200)
    expect(await blockNumber(l1)).toBe(0)
    expect(first.clock.status().mining).toBe(false)
    first.clock.resume()
    await until(async () => (await blockNumber(l1)) >= 1, 3_000)
    await first.stop()
    const second = await startL1Clock(conf)
    stops.push(() => second.stop())
    expect(second.clock.status().mining).toBe(true)
  }, 20_000)
})

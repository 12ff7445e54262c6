import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { anvilBinary } from '../../runtime/process/index.js'
import { spawnAnvil } from '../shared/anvil.js'
import { rpcClient, type RpcClient } from '../shared/jsonrpc.js'
import { L1Source } from './l1.js'

describe('L1Source following the head of a real anvil', () => {
  let child: ChildProcess
  let rpc: RpcClient
  let port: number

  beforeAll(async () => {
    const started = await spawnAnvil(anvilBinary(), ['--no-mining'])
    child = started.child
    port = started.port
    rpc = rpcClient(`http://127.0.0.1:${port}`)
  })
  afterAll(() => child?.kill('SIGKILL'))

  const latest = () => rpc.call<{ hash: string; number: string; parentHash: string }>('eth_getBlockByNumber', ['latest', false])

  test('behavior: the head follows new blocks and an anvil_reorg without a poll', async () => {
    const l1 = new L1Source(rpc)
    let woken = 0
    let live = false
    l1.followHeads(`ws://127.0.0.1:${port}`, () => woken++, (value) => (live = value))
    try {
      await vi.waitUntil(() => live, { timeout: 5_000, interval: 20 })
      await rpc.call('evm_mine', [])
      await rpc.call('evm_mine', [])
      const tip = await latest()
      await vi.waitUntil(() => l1.head.hash === tip.hash, { timeout: 5_000, interval: 20 })
      expect(l1.head).toMatchObject({ number: 2, parentHash: tip.parentHash })
      expect(woken).toBe(2)

      // The same height on another branch: the head changes hash, not number.
      await rpc.call('anvil_reorg', [1, []])
      const replaced = await latest()
      expect(replaced.hash).not.toBe(tip.hash)
      await vi.waitUntil(() => l1.head.hash === replaced.hash, { timeout: 5_000, interval: 20 })
      expect(l1.head.number).toBe(2)
    } finally {
      l1.close()
    }
    expect(live).toBe(false)
    await rpc.call('evm_mine', [])
    await new Promise((r) => setTimeout(r, 200))
    expect(l1.head.number).toBe(2) // closed: no longer follows
  })

  test('behavior: a canonical view reads each L1 height once and answers for blocks of the branch it read', async () => {
    await rpc.call('evm_mine', [])
    await rpc.call('evm_mine', [])
    const tip = await latest()
    const parent = { number: Number(tip.number) - 1, hash: tip.parentHash as `0x${string}` }
    const calls: unknown[] = []
    const counting: RpcClient = { ...rpc, call: (method: string, params?: unknown[]) => (calls.push([method, params]), rpc.call(method, params)) } as RpcClient
    const isCanonical = new L1Source(counting).canonicalView()
    const head = { number: Number(tip.number), hash: tip.hash as `0x${string}` }
    expect(await isCanonical(head)).toBe(true)
    expect(await isCanonical(parent)).toBe(true)
    expect(await isCanonical({ ...head, hash: parent.hash })).toBe(false)
    expect(await Promise.all([isCanonical(head), isCanonical(parent)])).toEqual([true, true])
    expect(calls).toHaveLength(2)
    // Another view sees the reorg; the first keeps the branch it read.
    await rpc.call('anvil_reorg', [1, []])
    expect(await new L1Source(rpc).canonicalView()(head)).toBe(false)
    expect(await isCanonical(head)).toBe(true)
  })

  test('behavior: while the head subscription is live, the head poll goes over its socket, not HTTP', async () => {
    // An HTTP endpoint nobody listens on: a poll over HTTP fails.
    const l1 = new L1Source(rpcClient('http://127.0.0.1:1', 1_000), 2_000)
    await expect(l1.pollHead()).rejects.toThrow()
    let live = false
    l1.followHeads(`ws://127.0.0.1:${port}`, () => {}, (value) => (live = value))
    try {
      await vi.waitUntil(() => live, { timeout: 5_000, interval: 20 })
      await rpc.call('evm_mine', [])
      const tip = await latest()
      expect((await l1.pollHead()).hash).toBe(tip.hash)
    } finally {
      l1.close()
    }
    await expect(l1.pollHead()).rejects.toThrow()
  })
})

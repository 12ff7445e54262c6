import type { ChildProcess } from 'node:child_process'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { anvilBinary } from '../../runtime/process/index.js'
import { LinkProxy } from '../links/proxy.js'
import { spawnAnvil } from './anvil.js'
import { closeServer, rpcClient, startRpcServer, type RpcClient } from './jsonrpc.js'
import { subscribe, type Subscription } from './subscription.js'

interface Head { number: `0x${string}`; hash: `0x${string}` }

describe('subscribe (newHeads) on a real anvil, through a link', () => {
  let child: ChildProcess
  let l1: RpcClient
  let proxy: LinkProxy
  let port: number
  let sub: Subscription | undefined
  const heads: number[] = []
  const states: boolean[] = []

  beforeAll(async () => {
    const started = await spawnAnvil(anvilBinary(), ['--no-mining'])
    child = started.child
    l1 = rpcClient(`http://127.0.0.1:${started.port}`)
    proxy = new LinkProxy('subscription-test')
    port = (await proxy.add({ from: 'node', to: 'l1', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port: started.port } })).listenPort
  })
  afterAll(async () => {
    await proxy?.close()
    child?.kill('SIGKILL')
  })
  afterEach(() => sub?.close())

  test('behavior: every mined block is handed over, and a cut link is reconnected once restored', async () => {
    sub = subscribe<Head>(`ws://127.0.0.1:${port}`, ['newHeads'], (h) => heads.push(Number(h.number)), { onLive: (live) => states.push(live), maxBackoffMs: 200 })
    await vi.waitUntil(() => sub!.live, { timeout: 5_000, interval: 20 })
    await l1.call('evm_mine', [])
    await l1.call('evm_mine', [])
    await vi.waitUntil(() => heads.length === 2, { timeout: 5_000, interval: 20 })
    expect(heads).toEqual([1, 2])

    proxy.partition([['node'], ['l1']], 'all')
    await vi.waitUntil(() => !sub!.live, { timeout: 5_000, interval: 20 })
    await l1.call('evm_mine', [])
    await new Promise((r) => setTimeout(r, 300))
    expect(heads).toEqual([1, 2]) // nothing crosses a cut link

    proxy.heal()
    await vi.waitUntil(() => sub!.live, { timeout: 5_000, interval: 20 })
    await l1.call('evm_mine', [])
    await vi.waitUntil(() => heads.length === 3, { timeout: 5_000, interval: 20 })
    expect(heads.at(-1)).toBe(4)
    expect(states).toEqual([true, false, true])
  })

  test('behavior: a call over the live socket is answered; one in flight fails when the link is cut or silent, one while down fails at once', async () => {
    sub = subscribe<Head>(`ws://127.0.0.1:${port}`, ['newHeads'], () => {}, { maxBackoffMs: 200 })
    await vi.waitUntil(() => sub!.live, { timeout: 5_000, interval: 20 })
    expect(await sub.call<string>('eth_blockNumber', [], 2_000)).toBe(await l1.call<string>('eth_blockNumber', []))
    await expect(sub.call('eth_noSuchMethod', [], 2_000)).rejects.toThrow(/did not match any variant/)

    // A silent link (what a docker partition gives): the answer does not come within the timeout.
    proxy.setFault('node', { delayMs: 1_000, jitterMs: 0, lossPercent: 0 })
    await expect(sub.call('eth_blockNumber', [], 200)).rejects.toThrow(/eth_blockNumber: no answer from .* within 200 ms/)
    proxy.setFault('node', undefined)

    const inFlight = sub.call('eth_blockNumber', [], 5_000)
    proxy.partition([['node'], ['l1']], 'all')
    await expect(inFlight).rejects.toThrow(/connection closed|no answer/)
    await vi.waitUntil(() => !sub!.live, { timeout: 5_000, interval: 20 })
    await expect(sub.call('eth_blockNumber', [], 2_000)).rejects.toThrow(/subscription not live/)
    proxy.heal()
    await vi.waitUntil(() => sub!.live, { timeout: 5_000, interval: 20 })
    expect(await sub.call<string>('eth_blockNumber', [], 2_000)).toBe(await l1.call<string>('eth_blockNumber', []))
  })

  test('behavior: a server that refuses eth_subscribe leaves it down, and it keeps asking', async () => {
    let asked = 0
    const server = await startRpcServer({
      port: 0,
      host: '127.0.0.1',
      methods: {},
      websocket: () => ({
        eth_subscribe: () => {
          asked++
          throw new Error('subscriptions are off')
        },
      }),
    })
    try {
      const { port: p } = server.address() as { port: number }
      sub = subscribe(`ws://127.0.0.1:${p}`, ['newHeads'], () => {}, { maxBackoffMs: 100 })
      await vi.waitUntil(() => asked >= 2, { timeout: 5_000, interval: 20 })
      expect(sub.live).toBe(false)
    } finally {
      sub?.close()
      await closeServer(server)
    }
  })
})

import type { ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { anvilBinary } from '../../runtime/process/index.js'
import { spawnAnvil } from './anvil.js'
import { rpcClient, type RpcClient } from './jsonrpc.js'
import { waitMined } from './txWait.js'

describe('waitMined on a real anvil', () => {
  let child: ChildProcess
  let l1: RpcClient
  const call = <T>(method: string, params: unknown[]) => l1.call<T>(method, params)
  /** anvil's first default account (unlocked: eth_sendTransaction signs with it). */
  const from = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

  beforeAll(async () => {
    const started = await spawnAnvil(anvilBinary(), ['--no-mining'])
    child = started.child
    l1 = rpcClient(`http://127.0.0.1:${started.port}`)
  })
  afterAll(() => child?.kill('SIGKILL'))

  const send = () => call<`0x${string}`>('eth_sendTransaction', [{ from, to: from, value: '0x1' }])

  test('behavior: a mined transaction returns its receipt', async () => {
    const hash = await send()
    setTimeout(() => void call('evm_mine', []), 300)
    const mined = await waitMined<{ transactionHash: string }>(call, hash, 5000, { pollMs: 50 })
    expect('receipt' in mined && mined.receipt.transactionHash).toBe(hash)
  })

  test('behavior: a transaction the node forgot (a reorg dropped it) is reported dropped, before the timeout', async () => {
    const hash = await send()
    await call('anvil_dropTransaction', [hash])
    const t0 = Date.now()
    expect(await waitMined(call, hash, 20_000, { pollMs: 50 })).toEqual({ dropped: true })
    expect(Date.now() - t0).toBeLessThan(5000)
  })

  test('behavior: a pending transaction past the timeout is reported timed out', async () => {
    const hash = await send()
    expect(await waitMined(call, hash, 400, { pollMs: 50 })).toEqual({ timedOut: true })
    await call('anvil_dropTransaction', [hash])
  })

  test('behavior: aborting the signal (the component stops) ends the wait for a pending transaction at once', async () => {
    const hash = await send()
    const stopping = new AbortController()
    setTimeout(() => stopping.abort(), 100)
    const t0 = Date.now()
    await expect(waitMined(call, hash, 20_000, { pollMs: 1000, signal: stopping.signal })).rejects.toThrow(/aborted/)
    expect(Date.now() - t0).toBeLessThan(900)
    await call('anvil_dropTransaction', [hash])
  })
})

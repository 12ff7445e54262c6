import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { concatHex, keccak256, pad, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { anvilBinary } from '../../../runtime/process/index.js'
import { freePort } from '../../../runtime/ports.js'
import { waitForRpc } from '../../../runtime/waits.js'
import { rpcClient, type RpcClient, type RpcSession } from '../../shared/jsonrpc.js'
import { header, logMatches, parseLogFilter, Subscriptions } from './subscriptions.js'

const A = '0x00000000000000000000000000000000000000aa'
const T0 = pad('0x01')
const T1 = pad('0x02')

describe('log filters', () => {
  test('default: addresses and topics by position', () => {
    const log = { address: A as Hex, topics: [T0, T1] as Hex[] }
    expect(logMatches(log, parseLogFilter(undefined))).toBe(true)
    expect(logMatches(log, parseLogFilter({ address: A.toUpperCase().replace('0X', '0x') }))).toBe(true)
    expect(logMatches(log, parseLogFilter({ address: [pad('0xbb', { size: 20 }), A] }))).toBe(true)
    expect(logMatches(log, parseLogFilter({ address: pad('0xbb', { size: 20 }) }))).toBe(false)
    expect(logMatches(log, parseLogFilter({ topics: [null, [T0, T1]] }))).toBe(true)
    expect(logMatches(log, parseLogFilter({ topics: [T1] }))).toBe(false)
    expect(logMatches(log, parseLogFilter({ topics: [T0, T1, T0] }))).toBe(false)
  })

  test('error: malformed filters', () => {
    expect(() => parseLogFilter('x')).toThrow(/filter object/)
    expect(() => parseLogFilter({ address: '0x12' })).toThrow(/address must be 20-byte hex/)
    expect(() => parseLogFilter({ topics: ['0x12'] })).toThrow(/topic must be 32-byte hex/)
    expect(() => parseLogFilter({ topics: [null, null, null, null, null] })).toThrow(/exceed max topics/)
  })

  test('default: newHeads headers drop the body fields', () => {
    expect(header({ number: '0x1', hash: '0x2', parentHash: '0x3', transactions: [], uncles: [], size: '0x1', stateRoot: '0x4' })).toEqual({ number: '0x1', hash: '0x2', parentHash: '0x3', stateRoot: '0x4' })
  })
})

/** Against a real anvil: the diffing across rollbacks, as the engine's head moves. */
describe('Subscriptions', () => {
  let anvil: ChildProcess
  let engine: RpcClient
  let from: Hex
  let emitter: Hex
  const seen: Array<{ subscription: string; result: any }> = []
  const closers: Array<() => void> = []
  const session: RpcSession = { notify: (_m, p) => void seen.push(p as never), onClose: (fn) => void closers.push(fn) }
  const errors: Error[] = []
  let subs: Subscriptions

  beforeAll(async () => {
    const port = await freePort()
    anvil = spawn(anvilBinary(), ['--port', String(port), '--silent'], { stdio: 'ignore' })
    await waitForRpc(`http://127.0.0.1:${port}`, 'eth_chainId', [], { timeoutMs: 10_000 })
    engine = rpcClient(`http://127.0.0.1:${port}`)
    from = (await engine.call<Hex[]>('eth_accounts'))[0]
    // Runtime (39 bytes): PUSH32 T0, PUSH1 0, PUSH1 0, LOG1 (empty data, topic T0), STOP.
    // Init (12 bytes): PUSH1 39, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 39, PUSH1 0, RETURN.
    const runtime = concatHex(['0x7f', T0, '0x60006000a100'])
    const init = concatHex(['0x6027600c60003960276000f3', runtime])
    const hash = await engine.call<Hex>('eth_sendTransaction', [{ from, data: init }])
    for (let i = 0; i < 100 && !emitter; i++) {
      emitter = (await engine.call<{ contractAddress: Hex } | null>('eth_getTransactionReceipt', [hash]))?.contractAddress as Hex
      if (!emitter) await new Promise((r) => setTimeout(r, 20))
    }
    subs = new Subscriptions(engine, (e) => errors.push(e))
  })
  afterAll(() => {
    anvil?.kill('SIGKILL')
  })

  const mined = async (hash: Hex) => {
    for (let i = 0; i < 500; i++) {
      if (await engine.call('eth_getTransactionReceipt', [hash])) return
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`${hash} not mined`)
  }
  // Waits for `n` notifications (up to 10 s: the feed makes RPC calls per head move, slow on a loaded machine).
  const settle = async (n: number) => {
    for (let i = 0; i < 500 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20))
  }

  test('behavior: new blocks, then removed logs and the replacement head after a rollback', async () => {
    const m = subs.methods(session)
    const heads = (await m.eth_subscribe(['newHeads'])) as string
    const logs = (await m.eth_subscribe(['logs', { address: emitter, topics: [T0] }])) as string
    const none = (await m.eth_subscribe(['logs', { topics: [T1] }])) as string
    const tx = await engine.call<Hex>('eth_sendTransaction', [{ from, to: emitter }])
    // anvil answers eth_sendTransaction before its automine lands: the node calls headChanged only after
    // the engine holds the block, so wait for the receipt as the node would.
    await mined(tx)
    subs.headChanged()
    await settle(2)
    const block = await engine.call<{ hash: Hex; number: Hex }>('eth_getBlockByNumber', ['latest', false])
    expect(seen.map((s) => s.subscription)).toEqual([heads, logs])
    expect(seen[0].result.hash).toBe(block.hash)
    expect(seen[1].result).toMatchObject({ transactionHash: tx, removed: false, blockHash: block.hash })
    seen.length = 0
    // Roll the block back and mine an empty one at the same height.
    await engine.call('anvil_rollback', [1])
    subs.headChanged()
    await engine.call('evm_mine', [])
    subs.headChanged()
    await settle(2)
    const replacement = await engine.call<{ hash: Hex; number: Hex }>('eth_getBlockByNumber', ['latest', false])
    expect(replacement.number).toBe(block.number)
    expect(replacement.hash).not.toBe(block.hash)
    expect(seen).toEqual([
      { subscription: logs, result: expect.objectContaining({ transactionHash: tx, removed: true, blockHash: block.hash }) },
      { subscription: heads, result: expect.objectContaining({ hash: replacement.hash, number: block.number }) },
    ])
    expect(seen.some((s) => s.subscription === none)).toBe(false)
    expect(errors).toEqual([])
  })

  test('behavior: pending hashes and transactions, unsubscribe, and closing the session ends its subscriptions', async () => {
    seen.length = 0
    const m = subs.methods(session)
    const pending = (await m.eth_subscribe(['newPendingTransactions'])) as string
    const full = (await m.eth_subscribe(['newPendingTransactions', true])) as string
    // anvil's first dev key (public test mnemonic), signing an EIP-1559 transaction.
    const signer = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
    const raw = await signer.signTransaction({ chainId: 31337, type: 'eip1559', to: A, value: 5n, gas: 21_000n, nonce: 9, maxFeePerGas: 7n, maxPriorityFeePerGas: 1n, data: '0x' })
    const hash = keccak256(raw)
    await subs.pendingTransaction(raw)
    expect(seen).toContainEqual({ subscription: pending, result: hash })
    expect(seen.find((s) => s.subscription === full)!.result).toMatchObject({
      hash, from: signer.address.toLowerCase(), to: A, value: '0x5', nonce: '0x9', gas: '0x5208', type: '0x2',
      maxFeePerGas: '0x7', maxPriorityFeePerGas: '0x1', chainId: '0x7a69', blockHash: null, blockNumber: null,
    })
    expect(await m.eth_unsubscribe([pending])).toBe(true)
    await expect(Promise.resolve().then(() => m.eth_unsubscribe([pending]))).rejects.toThrow('subscription not found')
    for (const close of closers.splice(0)) close()
    seen.length = 0
    await engine.call('evm_mine', [])
    subs.headChanged()
    await new Promise((r) => setTimeout(r, 200))
    expect(seen).toEqual([])
  })

  test('error: unknown subscriptions and arguments', async () => {
    const m = subs.methods(session)
    await expect(Promise.resolve().then(() => m.eth_subscribe(['syncing']))).rejects.toMatchObject({ code: -32601, message: 'no "syncing" subscription in eth namespace' })
    await expect(Promise.resolve().then(() => m.eth_subscribe([1]))).rejects.toMatchObject({ code: -32602 })
  })
})

import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { anvilBinary } from '../../runtime/process/index.js'
import { freePort } from '../../runtime/ports.js'
import { waitForRpc } from '../../runtime/waits.js'
import { rpcClient, type RpcClient } from '../shared/jsonrpc.js'
import { rawTransaction } from './batcher.js'

// anvil's first dev account (public test mnemonic).
const account = mnemonicToAccount('test test test test test test test test test test test junk')

describe('rawTransaction', () => {
  let anvil: ChildProcess
  let client: RpcClient
  const refuse: RpcClient = { url: 'none', call: async () => Promise.reject(new Error('fallback used')) }

  beforeAll(async () => {
    const port = await freePort()
    anvil = spawn(anvilBinary(), ['--port', String(port), '--silent'], { stdio: 'ignore' })
    await waitForRpc(`http://127.0.0.1:${port}`, 'eth_chainId', [], { timeoutMs: 10_000 })
    client = rpcClient(`http://127.0.0.1:${port}`)
  })
  afterAll(() => {
    anvil?.kill('SIGKILL')
  })

  const cases = [
    ['legacy (EIP-155)', { type: 'legacy', gasPrice: 10_000_000_000n }],
    ['eip2930', { type: 'eip2930', gasPrice: 10_000_000_000n, accessList: [{ address: '0x00000000000000000000000000000000000000aa', storageKeys: [`0x${'01'.padStart(64, '0')}`] }] }],
    ['eip1559', { type: 'eip1559', maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1n }],
  ] as const

  test.each(cases)('behavior: %s re-encodes to the exact signed bytes', async (_name, fields) => {
    const nonce = Number(await client.call<Hex>('eth_getTransactionCount', [account.address, 'pending']))
    const raw = await account.signTransaction({ chainId: 31337, to: '0x000000000000000000000000000000000000dEaD', value: 7n, gas: 50_000n, data: '0x1234', nonce, ...fields } as never)
    const hash = await client.call<Hex>('eth_sendRawTransaction', [raw])
    const json = await client.call<any>('eth_getTransactionByHash', [hash])
    expect(await rawTransaction(json, refuse)).toBe(raw)
  })
})

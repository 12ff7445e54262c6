/**
 * proxyd on a default devnet (process runtime, real lite components from `dist/`, so run `npm run build`
 * first): the front door apps use. A whitelisted call works, a method off the mappings gets -32601 / 403,
 * /healthz answers OK, a transaction sent through proxyd lands, and the metrics count requests per
 * backend and method.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { rpc, waitFor } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-proxyd-devnet-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const account = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 8 })

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('proxyd on a default devnet (process runtime)', () => {
  let devnet: Devnet
  let url: string

  beforeAll(async () => {
    devnet = await startDevnet({ runtime: 'process', ports: 'auto', stateDir: join(root, 'd') })
    url = devnet.endpoints.proxyd.rpc
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('default: reads go through proxyd; /healthz answers OK', async () => {
    expect(await rpc(url, 'eth_chainId')).toBe('0x385')
    const head = await waitFor('proxyd head >= 2', async () => Number(await rpc<string>(url, 'eth_blockNumber')) >= 2 && Number(await rpc<string>(url, 'eth_blockNumber')))
    expect(head).toBeGreaterThanOrEqual(2)
    const health = await fetch(`${url}/healthz`)
    expect([health.status, await health.text()]).toEqual([200, 'OK'])
  })

  test('error: a method not in the mappings gets -32601 / 403', async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'admin_stopSequencer', params: [] }) })
    expect([res.status, ((await res.json()) as any).error]).toEqual([403, { code: -32601, message: 'rpc method is not whitelisted' }])
  })

  test('behavior: a transaction sent through proxyd lands; metrics count per backend and method', async () => {
    const raw = await account.signTransaction({ chainId: 901, to: '0x000000000000000000000000000000000000dEaD', value: 1n, gas: 21_000n, maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1n, nonce: 0 })
    const hash = await rpc<string>(url, 'eth_sendRawTransaction', [raw])
    const receipt = await waitFor('receipt via proxyd', () => rpc<{ status: string } | null>(url, 'eth_getTransactionReceipt', [hash]), 30_000, 200)
    expect(receipt.status).toBe('0x1')
    const metrics = await (await fetch(`${devnet.endpoints.proxyd.metrics}/metrics`)).text()
    expect(metrics).toMatch(/proxyd_rpc_forwards_total\{auth="none",backend_name="sequencer",method_name="eth_sendRawTransaction",source="http"} 1/)
    expect(metrics).toMatch(/proxyd_rpc_forwards_total\{auth="none",backend_name="(sequencer|replica-0)",method_name="eth_getTransactionReceipt",source="http"} \d+/)
    // Both nodes serve reads once the replica is within consensus_max_block_lag of the sequencer.
    await waitFor('both nodes in the consensus group', async () => /proxyd_group_consensus_count\{backend_group_name="main"} 2/.test(await (await fetch(`${devnet.endpoints.proxyd.metrics}/metrics`)).text()), 30_000, 200)
  })
})

/**
 * The lite proxyd program (`dist/components/main.js proxyd --config <file>`, so run `npm run build`
 * first) in front of three real anvils with identical genesis blocks, mined in lock step with fixed
 * timestamps so their block hashes agree: the allow-list, rate limit, /healthz, metrics, WebSocket
 * newHeads, tag rewriting, a lagging backend leaving the consensus group, a ban, multicall transactions,
 * failover when a backend dies, and bad configs refused before anything starts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mnemonicToAccount } from 'viem/accounts'
import { WebSocket } from 'ws'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { anvilBinary } from '../src/runtime/process/index.js'
import { allocatePorts } from '../src/runtime/ports.js'
import { waitForRpc } from '../src/runtime/waits.js'
import { rpc, waitFor } from './helpers.js'
import { requires } from './requires.js'

const main = join(process.cwd(), 'dist/components/main.js')
const root = mkdtempSync(join(tmpdir(), 'op-devnet-proxyd-'))
const GENESIS_TIME = 1_700_000_000
const account = mnemonicToAccount('test test test test test test test test test test test junk')
afterAll(() => rmSync(root, { recursive: true, force: true }))

interface Anvil {
  name: string
  url: string
  child: ChildProcess
}

/** Mines `count` blocks on each anvil; block N always gets timestamp GENESIS_TIME + N, so hashes agree. */
async function mine(anvils: Anvil[], count: number): Promise<void> {
  for (const a of anvils) {
    for (let i = 0; i < count; i++) {
      const n = Number(await rpc<string>(a.url, 'eth_blockNumber'))
      await rpc(a.url, 'evm_mine', [GENESIS_TIME + n + 1])
    }
  }
}

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as any, servedBy: res.headers.get('x-served-by') }
}
const call = (method: string, params: unknown[] = []) => ({ jsonrpc: '2.0', id: 1, method, params })

/** Runs the proxyd program on `toml` to completion (for configs it must refuse). */
function runBadConfig(name: string, toml: string) {
  const file = join(root, name)
  writeFileSync(file, toml)
  const r = spawnSync(process.execPath, [main, 'proxyd', '--config', file], { encoding: 'utf8', timeout: 20_000 })
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, file }
}

requires('dist/ (the built lite components)', existsSync(main), 'npm run build')('proxyd program in front of anvils (process runtime)', () => {
  const anvils: Anvil[] = []
  let proxyd: ChildProcess
  let url: string
  let wsUrl: string
  let metricsUrl: string
  const metric = async (pattern: RegExp) => pattern.exec(await (await fetch(metricsUrl)).text())

  beforeAll(async () => {
    const [rpcPort, wsPort, metricsPort, ...anvilPorts] = await allocatePorts(6)
    for (const [i, port] of anvilPorts.entries()) {
      const child = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--no-mining', '--timestamp', String(GENESIS_TIME), '--chain-id', '901', '--slots-in-an-epoch', '2', '--silent'], { stdio: 'ignore' })
      anvils.push({ name: 'abc'[i], url: `http://127.0.0.1:${port}`, child })
    }
    await Promise.all(anvils.map((a) => waitForRpc(a.url, 'eth_chainId', [], { timeoutMs: 15_000 })))
    await mine(anvils, 10)
    const backends = anvils.map((a) => `[backends.${a.name}]\nrpc_url = "$ANVIL_${a.name.toUpperCase()}"\nws_url = "${a.url.replace('http', 'ws')}"\nconsensus_skip_peer_count = true\n`).join('\n')
    const file = join(root, 'proxyd.toml')
    writeFileSync(file, `ws_backend_group = "main"
ws_method_whitelist = ["eth_subscribe", "eth_unsubscribe", "eth_chainId"]

[server]
rpc_host = "127.0.0.1"
rpc_port = ${rpcPort}
ws_host = "127.0.0.1"
ws_port = ${wsPort}
enable_served_by_header = true

[metrics]
enabled = true
host = "127.0.0.1"
port = ${metricsPort}

[backend]
response_timeout_seconds = 2
max_retries = 0

${backends}
[backend_groups.main]
backends = ["a", "b", "c"]
routing_strategy = "consensus_aware"
consensus_poller_interval = "200ms"
consensus_max_block_lag = 3
consensus_ban_period = "10m"

[backend_groups.tx]
backends = ["a", "b", "c"]
routing_strategy = "multicall"

[rpc_method_mappings]
eth_chainId = "main"
eth_blockNumber = "main"
eth_getBlockByNumber = "main"
eth_getBalance = "main"
net_version = "main"
eth_sendRawTransaction = "tx"

[rate_limit]
method_overrides.net_version = { limit = 2, interval = "10m" }
`)
    const env = { ...process.env, ...Object.fromEntries(anvils.map((a) => [`ANVIL_${a.name.toUpperCase()}`, a.url])) }
    proxyd = spawn(process.execPath, [main, 'proxyd', '--config', file], { stdio: 'ignore', env })
    url = `http://127.0.0.1:${rpcPort}`
    wsUrl = `ws://127.0.0.1:${wsPort}`
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    await waitFor('proxyd /healthz', async () => (await fetch(`${url}/healthz`)).ok, 20_000)
  })

  afterAll(() => {
    proxyd?.kill('SIGKILL')
    for (const a of anvils) a.child.kill('SIGKILL')
  })

  test('default: a whitelisted call works and /healthz answers OK', async () => {
    expect((await post(url, call('eth_chainId'))).body.result).toBe('0x385')
    const health = await fetch(`${url}/healthz`)
    expect([health.status, await health.text()]).toEqual([200, 'OK'])
  })

  test('error: a method not in the mappings gets -32601 / 403 with proxyd\'s message', async () => {
    expect(await post(url, call('anvil_mine'))).toMatchObject({ status: 403, body: { error: { code: -32601, message: 'rpc method is not whitelisted' } } })
  })

  test('error: over the rate limit gets -32016 / 429', async () => {
    expect((await post(url, call('net_version'))).status).toBe(200)
    expect((await post(url, call('net_version'))).status).toBe(200)
    expect(await post(url, call('net_version'))).toMatchObject({ status: 429, body: { error: { code: -32016, message: 'over rate limit' } } })
  })

  test('behavior: metrics count requests per backend and method', async () => {
    for (let i = 0; i < 6; i++) await post(url, call('eth_chainId'))
    const text = await (await fetch(metricsUrl)).text()
    const perBackend = ['a', 'b', 'c'].map((b) => Number(new RegExp(`proxyd_rpc_forwards_total\\{auth="none",backend_name="${b}",method_name="eth_chainId",source="http"} (\\d+)`).exec(text)?.[1] ?? 0))
    expect(perBackend.reduce((x, y) => x + y)).toBeGreaterThanOrEqual(7)
    expect(perBackend.filter((n) => n > 0).length).toBe(3)
    expect(text).toMatch(/proxyd_rpc_requests_total \d+/)
  })

  test('behavior: eth_subscribe newHeads through the WebSocket front; methods off the ws whitelist are refused', async () => {
    const ws = new WebSocket(wsUrl)
    const messages: any[] = []
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())))
    await new Promise((r, j) => ws.once('open', r).once('error', j))
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'anvil_mine', params: [] }))
    await waitFor('subscription id', async () => messages.find((m) => m.id === 1)?.result)
    expect(messages.find((m) => m.id === 2)?.error).toEqual({ code: -32601, message: 'rpc method is not whitelisted' })
    await mine(anvils, 1)
    const head = await waitFor('newHeads notification', async () => messages.find((m) => m.method === 'eth_subscription'))
    expect(head.params.result.number).toBe('0xb')
    ws.close()
  })

  test('behavior: latest is rewritten to the consensus head; a block above it is out of range', async () => {
    await mine(anvils.slice(0, 2), 2) // a, b at 13; c at 11 (lag 2 <= 3)
    // Each backend and the group have a loop of their own (as in proxyd): wait for the group to see all three.
    await waitFor('a and b seen at 13', async () => (await metric(/proxyd_backend_latest_block\{backend_name="a"} 13/)) && metric(/proxyd_backend_latest_block\{backend_name="b"} 13/))
    await waitFor('consensus at 11', () => metric(/proxyd_group_consensus_latest_block\{backend_group_name="main"} 11\n/))
    expect((await post(url, call('eth_blockNumber'))).body.result).toBe('0xb')
    for (let i = 0; i < 3; i++) expect((await post(url, call('eth_getBlockByNumber', ['latest', false]))).body.result.number).toBe('0xb')
    expect((await post(url, call('eth_getBlockByNumber', ['0xc', false]))).body).toMatchObject({ error: { code: -32019, message: 'block is out of range' } })
  })

  test('behavior: a backend lagging beyond max_block_lag leaves the consensus group and comes back once caught up', async () => {
    await mine(anvils.slice(0, 2), 3) // a, b at 16; c at 11 (lag 5 > 3)
    await waitFor('c filtered out, consensus at 16', async () => (await metric(/proxyd_group_consensus_count\{backend_group_name="main"} 2/)) && metric(/proxyd_group_consensus_latest_block\{backend_group_name="main"} 16\n/))
    expect((await post(url, call('eth_blockNumber'))).body.result).toBe('0x10')
    for (let i = 0; i < 6; i++) expect((await post(url, call('eth_getBalance', [account.address, 'latest']))).servedBy).not.toBe('main/c')
    await mine(anvils.slice(2), 5)
    await waitFor('c back in the group', () => metric(/proxyd_group_consensus_count\{backend_group_name="main"} 3/))
  })

  test('behavior: multicall sends eth_sendRawTransaction to every backend', async () => {
    const raw = await account.signTransaction({ chainId: 901, to: '0x000000000000000000000000000000000000dEaD', value: 1n, gas: 21_000n, maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1n, nonce: 0 })
    const { body } = await post(url, call('eth_sendRawTransaction', [raw]))
    expect(body.result).toMatch(/^0x[0-9a-f]{64}$/)
    // proxyd answers with the first success; the other sends may still be in flight.
    for (const a of anvils) await waitFor(`tx in ${a.name}'s pool`, () => rpc(a.url, 'eth_getTransactionByHash', [body.result]), 10_000)
  })

  test('error: a backend whose safe block moves back is banned', async () => {
    await rpc(anvils[1].url, 'anvil_rollback', [3])
    await waitFor('b banned', () => metric(/proxyd_consensus_backend_banned\{backend_name="b"} 1/))
    await waitFor('group without b', () => metric(/proxyd_group_consensus_count\{backend_group_name="main"} 2/))
    for (let i = 0; i < 6; i++) expect((await post(url, call('eth_getBalance', [account.address, 'latest']))).servedBy).not.toBe('main/b')
  })

  test('behavior: a killed backend fails over with no client error', async () => {
    anvils[0].child.kill('SIGKILL')
    const errors: unknown[] = []
    for (let i = 0; i < 30; i++) {
      const r = await post(url, call('eth_getBalance', [account.address, 'latest']))
      if (r.status !== 200 || r.body.error) errors.push(r.body)
    }
    expect(errors).toEqual([])
    await waitFor('a banned', () => metric(/proxyd_consensus_backend_banned\{backend_name="a"} 1/))
    expect((await post(url, call('eth_getBlockByNumber', ['latest', false]))).servedBy).toBe('main/c')
  })
})

requires('dist/ (the built lite components)', existsSync(main), 'npm run build')('proxyd program with a bad config', () => {
  const base = `[server]\nrpc_port = 1\n[backends.a]\nrpc_url = "http://127.0.0.1:1"\n[backend_groups.main]\nbackends = ["a"]\n[rpc_method_mappings]\neth_chainId = "main"\n`

  test('error: malformed TOML names the file and line; nothing starts', () => {
    const r = runBadConfig('malformed.toml', base.replace('rpc_port = 1', 'rpc_port = = 1'))
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`${r.file}:2: malformed TOML`)
    expect(r.stdout).not.toContain('proxyd started')
  })

  test('error: an unknown key names file, line and key path', () => {
    const r = runBadConfig('unknown.toml', base.replace('rpc_port = 1', 'rpc_port = 1\nrpc_prot = 2'))
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`${r.file}:3 server.rpc_prot: unknown key`)
  })

  test('error: a group naming a missing backend', () => {
    const r = runBadConfig('missing.toml', base.replace('backends = ["a"]', 'backends = ["a", "ghost"]'))
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`${r.file}:6 backend_groups.main.backends: backend "ghost" is not defined`)
  })
})

/**
 * proxyd figures (issue 10): the latency the lite proxyd program adds (p50 / p99 of sequential
 * `eth_getBalance(addr, "latest")` through a consensus_aware group vs the same calls straight to the
 * anvil behind it) and throughput in calls/s through proxyd vs direct (16 concurrent callers, one
 * proxyd process, i.e. one core), in alternating 1 s windows so load from other work on the machine
 * hits both sides alike, after one warm-up window each. The cache is off so every call reaches the backend.
 * Beside it, for scale: the same calls through the least a Node.js proxy built on node:http's client
 * does (`bareProxy.ts`), in the same alternation. proxyd forwards on its own HTTP/1.1 transport
 * (`src/components/proxyd/http1.ts`), which costs less per call than node:http's client, so it can pass it.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { rpcClient, type RpcClient } from '../src/components/shared/jsonrpc.js'
import { anvilBinary } from '../src/runtime/process/index.js'
import { allocatePorts } from '../src/runtime/ports.js'
import { waitForRpc } from '../src/runtime/waits.js'
import type { Figure } from './report.js'

const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function latencies(client: RpcClient, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await client.call('eth_getBalance', [ADDRESS, 'latest'])
    out.push(performance.now() - t0)
  }
  return out.sort((a, b) => a - b)
}

async function throughput(client: RpcClient, ms: number, concurrency = 16): Promise<number> {
  let calls = 0
  const end = performance.now() + ms
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await client.call('eth_getBalance', [ADDRESS, 'latest'])
        calls++
      }
    }),
  )
  return calls / (ms / 1000)
}

export async function benchProxyd(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-proxyd-'))
  const [anvilPort, rpcPort, barePort] = await allocatePorts(3)
  const anvil = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(anvilPort), '--silent', '--block-time', '2'], { stdio: 'ignore' })
  let proxyd: ReturnType<typeof spawn> | undefined
  let bare: ReturnType<typeof spawn> | undefined
  try {
    const anvilUrl = `http://127.0.0.1:${anvilPort}`
    await waitForRpc(anvilUrl, 'eth_chainId', [], { timeoutMs: 15_000 })
    const file = join(dir, 'proxyd.toml')
    writeFileSync(file, `[server]\nrpc_port = ${rpcPort}\n[backends.replica]\nrpc_url = "${anvilUrl}"\nconsensus_skip_peer_count = true\n[backend_groups.main]\nbackends = ["replica"]\nrouting_strategy = "consensus_aware"\n[rpc_method_mappings]\neth_getBalance = "main"\n`)
    proxyd = spawn(process.execPath, [resolve('dist/components/main.js'), 'proxyd', '--config', file], { stdio: 'ignore', env: { ...process.env, DEVNET_LOG_LEVEL: 'error' } })
    const proxydUrl = `http://127.0.0.1:${rpcPort}`
    await waitForRpc(proxydUrl, 'eth_getBalance', [ADDRESS, 'latest'], { timeoutMs: 15_000 })
    bare = spawn(process.execPath, ['--import', 'tsx', resolve('bench/bareProxy.ts'), String(barePort), anvilUrl], { stdio: 'ignore' })
    const bareUrl = `http://127.0.0.1:${barePort}`
    await waitForRpc(bareUrl, 'eth_getBalance', [ADDRESS, 'latest'], { timeoutMs: 15_000 })
    const direct = rpcClient(anvilUrl)
    const proxied = rpcClient(proxydUrl)
    const floor = rpcClient(bareUrl)
    await latencies(direct, 300)
    await latencies(proxied, 300)
    const d = await latencies(direct, 3000)
    const p = await latencies(proxied, 3000)
    // One concurrent round each, not counted: the first one through proxyd opens its pooled backend
    // connections and compiles the concurrent path (it measured at a third to a half of the next ones).
    for (const c of [direct, proxied, floor]) await throughput(c, 1000)
    const rounds: Array<[number, number, number]> = []
    for (let i = 0; i < 5; i++) rounds.push([await throughput(direct, 1000), await throughput(proxied, 1000), await throughput(floor, 1000)])
    const mean = (k: 0 | 1 | 2) => rounds.reduce((s, r) => s + r[k], 0) / rounds.length
    const [tDirect, tProxied, tFloor] = [mean(0), mean(1), mean(2)]
    const p50 = percentile(p, 50) - percentile(d, 50)
    const p99 = percentile(p, 99) - percentile(d, 99)
    const ratio = (100 * tProxied) / tDirect
    return [
      { name: 'proxyd added latency p50', value: p50, unit: 'ms', target: '<= 0.5 ms', ok: p50 <= 0.5, note: `direct p50 ${percentile(d, 50).toFixed(3)} ms, via proxyd ${percentile(p, 50).toFixed(3)} ms` },
      { name: 'proxyd added latency p99', value: p99, unit: 'ms', note: `direct p99 ${percentile(d, 99).toFixed(3)} ms, via proxyd ${percentile(p, 99).toFixed(3)} ms` },
      { name: 'throughput direct', value: tDirect, unit: 'calls/s', runs: rounds.map((r) => r[0]), note: '16 concurrent callers, 5 x 1 s' },
      { name: 'throughput via proxyd', value: tProxied, unit: 'calls/s', runs: rounds.map((r) => r[1]), note: '16 concurrent callers, 5 x 1 s, alternating with direct' },
      { name: 'proxyd throughput vs direct', value: ratio, unit: '%', target: '>= 50%', ok: ratio >= 50, note: `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores` },
      { name: 'floor: bare Node proxy vs direct', value: (100 * tFloor) / tDirect, unit: '%', runs: rounds.map((r) => r[2]), note: 'bench/bareProxy.ts: forwarding only over node:http, same alternation' },
    ]
  } finally {
    proxyd?.kill('SIGKILL')
    bare?.kill('SIGKILL')
    anvil.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

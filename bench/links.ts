/**
 * Link proxy figures: what one proxied JSON-RPC call to L1 (keep-alive node:http, as the components
 * call) costs against a direct call, through the real link proxy process of the process runtime.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../src/devnet/start.js'
import { rpcClient } from '../src/components/shared/jsonrpc.js'
import { freePort } from '../src/runtime/ports.js'
import { ProcessRuntime, type LinkStatus } from '../src/runtime/process/index.js'
import type { Figure } from './report.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!

async function timeCalls(url: string, n: number): Promise<number[]> {
  const client = rpcClient(url)
  for (let i = 0; i < 50; i++) await client.call('eth_blockNumber') // warm up
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await client.call('eth_blockNumber')
    ms.push(performance.now() - t0)
  }
  return ms
}

export async function benchLinks(calls = 2000): Promise<Figure[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-links-'))
  const runtime = new ProcessRuntime({ stateDir, liteEntrypoint: join(packageRoot(), 'dist/components/main.js') })
  try {
    const port = await freePort()
    await runtime.start({
      name: 'l1', role: 'l1', program: 'anvil', args: ['--port', String(port)], env: {}, files: {},
      ports: { rpc: { port, host: port, protocol: 'http', public: true } }, readiness: { kind: 'rpc', port: 'rpc', method: 'eth_chainId' },
      dependsOn: [], links: [],
    })
    const admin = await runtime.links.admin()
    const link = await admin.call<LinkStatus>('links_add', [{ from: 'bench', to: 'l1', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port } }])
    const direct = await timeCalls(`http://127.0.0.1:${port}`, calls)
    const proxied = await timeCalls(`http://127.0.0.1:${link.listenPort}`, calls)
    await runtime.setLinkFault('bench', { delayMs: 20 })
    const delayed = await timeCalls(`http://127.0.0.1:${link.listenPort}`, 200)
    const note = `${calls} sequential eth_blockNumber on anvil, keep-alive node:http`
    return [
      { name: 'L1 RPC call, direct (median)', value: median(direct), unit: 'ms', note: `p99 ${p99(direct).toFixed(2)} ms; ${note}` },
      { name: 'L1 RPC call through the link proxy (median)', value: median(proxied), unit: 'ms', note: `p99 ${p99(proxied).toFixed(2)} ms` },
      { name: 'added by the proxy (median)', value: median(proxied) - median(direct), unit: 'ms', note: 'no target' },
      { name: 'through the proxy with a 20 ms latency fault (median)', value: median(delayed), unit: 'ms', note: '200 calls; the fault delays the request direction only' },
    ]
  } finally {
    await runtime.stopAll()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

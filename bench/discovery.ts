/**
 * Discovery: how long a new replica (no static peers, never seen by the others) takes to find its first peer
 * through the devnet's bootnode and connect to it over libp2p, from its start and from its RPC being
 * ready (discovery starts once the node serves). Each run starts another new replica.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { resolvePorts } from '../src/devnet/ports.js'
import { planDevnet } from '../src/plan/plan.js'
import { ProcessRuntime } from '../src/runtime/process/index.js'
import type { ServiceHandle } from '../src/runtime/types.js'
import { defaultTopology } from '../src/topology/index.js'
import { rpc, waitFor } from '../test/helpers.js'
import type { Figure } from './report.js'

export async function benchDiscovery(runs = 3): Promise<Figure[]> {
  const topology = defaultTopology()
  topology.ports = 'auto'
  topology.proxyd.enabled = false
  const fresh = Array.from({ length: runs }, (_, i) => `new-${i}`)
  topology.l2.nodes = [
    { name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 0, standby: true },
    { name: 'replica-0', role: 'replica', peers: [], l1Confs: 0, standby: false },
    ...fresh.map((name) => ({ name, role: 'replica' as const, peers: [], l1Confs: 0, standby: false })),
  ]
  const stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-discovery-'))
  const plan = planDevnet(topology, { runtime: 'process', ports: await resolvePorts(topology), genesisTime: Math.floor(Date.now() / 1000) })
  const runtime = new ProcessRuntime({ stateDir, liteEntrypoint: resolve('dist/components/main.js') })
  const connected = async (h: ServiceHandle) => (await rpc<{ connected: number }>(h.endpoint('rollup'), 'opp2p_peerStats')).connected
  try {
    const handles = new Map<string, ServiceHandle>()
    for (const s of plan.services.filter((s) => !fresh.includes(s.name))) handles.set(s.name, await runtime.start(s))
    await waitFor('replica-0 connected by discovery', async () => (await connected(handles.get('replica-0')!)) >= 1, 60_000, 50)
    const fromStart: number[] = []
    const fromReady: number[] = []
    for (const name of fresh) {
      const t0 = performance.now()
      const handle = await runtime.start(plan.services.find((s) => s.name === name)!)
      const ready = performance.now()
      await waitFor(`${name}'s first peer`, async () => (await connected(handle)) >= 1, 60_000, 10)
      fromStart.push(performance.now() - t0)
      fromReady.push(performance.now() - ready)
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    return [
      {
        name: 'new replica (no static peers): RPC ready to its first peer by discovery',
        value: median(fromReady) / 1000,
        unit: 's',
        target: '<= 2 s',
        ok: median(fromReady) <= 2000,
        runs: fromReady.map((v) => v / 1000),
        note: `from its process start: ${fromStart.map((v) => (v / 1000).toFixed(2)).join(', ')} s`,
      },
    ]
  } finally {
    await runtime.stopAll()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

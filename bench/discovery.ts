/**
 * Discovery: how long a new replica (no static peers, never seen by the others) takes to find its first peer
 * through the devnet's bootnode and connect to it over libp2p, and to follow the sequencer by gossip, from
 * its RPC being ready (discovery starts once the node serves) and from its process start. Each run starts
 * another new replica. Where the time goes comes from the node's own log: `discovery started` (module
 * loaded, discv5 listening) and `discovery: first peer` (first record passing the `opstack` filter, first
 * dial, first connection, ms after discovery started). The floor is one anvil from spawn to answer.
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
import { anvilFloor, median } from './floor.js'
import type { Figure } from './report.js'

interface SyncStatus { unsafe_l2: { number: number }; safe_l2: { number: number } }

/** `key=value` fields of the last log line with `msg="<msg>"`, numbers only. */
function logFields(handle: ServiceHandle, msg: string): Record<string, number> | undefined {
  const line = handle.logs(2_000).findLast((l) => l.includes(`msg=${JSON.stringify(msg)}`))
  return line === undefined ? undefined : Object.fromEntries([...line.matchAll(/ (\w+)=(\d+)(?= |$)/g)].map((m) => [m[1], Number(m[2])]))
}

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
  const status = (h: ServiceHandle) => rpc<SyncStatus>(h.endpoint('rollup'), 'optimism_syncStatus')
  try {
    const handles = new Map<string, ServiceHandle>()
    for (const s of plan.services.filter((s) => !fresh.includes(s.name))) handles.set(s.name, await runtime.start(s))
    const sequencer = handles.get('sequencer')!
    await waitFor('replica-0 connected by discovery', async () => (await connected(handles.get('replica-0')!)) >= 1, 60_000, 50)
    const fromStart: number[] = []
    const fromReady: number[] = []
    const toGossip: number[] = []
    const floors: number[] = []
    const phases: string[] = []
    for (const name of fresh) {
      floors.push(await anvilFloor())
      const t0 = performance.now()
      const handle = await runtime.start(plan.services.find((s) => s.name === name)!)
      const ready = performance.now()
      await waitFor(`${name}'s first peer`, async () => (await connected(handle)) >= 1, 60_000, 10)
      fromStart.push(performance.now() - t0)
      fromReady.push(performance.now() - ready)
      // Following by gossip: its unsafe head ahead of what derivation gives it, and at the sequencer's.
      await waitFor(`${name} following by gossip`, async () => {
        const [own, seq] = await Promise.all([status(handle), status(sequencer)])
        return own.unsafe_l2.number > own.safe_l2.number && own.unsafe_l2.number >= seq.unsafe_l2.number - 1
      }, 60_000, 10)
      toGossip.push(performance.now() - ready)
      const started = logFields(handle, 'rollup node started')
      const disc = logFields(handle, 'discovery started')
      const join = logFields(handle, 'discovery: first peer')
      phases.push(`ready ${started?.readyMs} ms, discovery listening ${disc?.ms} ms, first record +${join?.recordMs}, dial +${join?.dialMs}, peer +${join?.peerMs} ms`)
    }
    const floor = `floor (one anvil spawn to answer, same run): median ${(median(floors) / 1000).toFixed(3)} s`
    return [
      {
        name: 'new replica (no static peers): RPC ready to its first peer by discovery',
        value: median(fromReady) / 1000,
        unit: 's',
        target: '<= 2 s',
        ok: median(fromReady) <= 2000,
        runs: fromReady.map((v) => v / 1000),
        note: `${floor}; from its process start: ${fromStart.map((v) => (v / 1000).toFixed(2)).join(', ')} s; its log (ms since process start, then since discovery started): ${phases.join(' | ')}`,
      },
      {
        name: 'new replica (no static peers): RPC ready to following the sequencer by gossip',
        value: median(toGossip) / 1000,
        unit: 's',
        runs: toGossip.map((v) => v / 1000),
        note: `unsafe > safe and unsafe >= sequencer's - 1; ${floor}`,
      },
    ]
  } finally {
    await runtime.stopAll()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

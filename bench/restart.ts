/**
 * Crash-safe nodes: how long a replica killed (SIGKILL) on a 500-block chain takes, from its start, to be
 * back at the sequencer's head, resuming from its snapshot. The floor is one anvil started with the L2
 * genesis until it answers, measured in the same run; one cold start (state wiped) is given for contrast.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { NODE_DATA_DIR, type RollupNodeConfig } from '../src/components/rollup-node/config.js'
import { Engine } from '../src/components/rollup-node/engine.js'
import { logger } from '../src/components/shared/log.js'
import { resolvePorts } from '../src/devnet/ports.js'
import { planDevnet } from '../src/plan/plan.js'
import { anvilBinary, ProcessRuntime } from '../src/runtime/process/index.js'
import type { ServiceHandle } from '../src/runtime/types.js'
import { defaultTopology } from '../src/topology/index.js'
import { rpc, syncStatus, waitFor } from '../test/helpers.js'
import type { Figure } from './report.js'

export async function benchRestart(blocks = 500, runs = 3): Promise<Figure[]> {
  const topology = defaultTopology()
  topology.ports = 'auto'
  const stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-restart-'))
  const plan = planDevnet(topology, { runtime: 'process', ports: await resolvePorts(topology), genesisTime: Math.floor(Date.now() / 1000) - blocks - 20 })
  const runtime = new ProcessRuntime({ stateDir, liteEntrypoint: resolve('dist/components/main.js') })
  try {
    const handles = new Map<string, ServiceHandle>()
    for (const s of plan.services) handles.set(s.name, await runtime.start(s))
    const seq = handles.get('sequencer')!.endpoint('rollup')
    const replica = handles.get('replica-0')!
    const rep = replica.endpoint('rollup')
    await waitFor(`replica safe >= ${blocks}`, async () => (await syncStatus(rep)).safe_l2.number >= blocks, 180_000, 100)
    /** Kills the replica, starts it again and times its start until its unsafe head reaches the sequencer's. */
    const restartOnce = async (wipe: boolean) => {
      await new Promise((r) => setTimeout(r, 1500)) // let a snapshot follow the latest blocks
      await replica.kill('SIGKILL')
      const killedAt = (await syncStatus(seq)).unsafe_l2.number
      if (wipe) rmSync(join(stateDir, 'replica-0', NODE_DATA_DIR), { recursive: true, force: true })
      const t0 = performance.now()
      await replica.restart()
      const ready = performance.now() - t0
      await waitFor('replica at the head it was killed at', async () => (await syncStatus(rep)).unsafe_l2.number >= killedAt, 120_000, 10)
      const atKill = performance.now() - t0
      await waitFor('replica back at the sequencer head', async () => {
        const [r, s] = await Promise.all([syncStatus(rep), syncStatus(seq)])
        return r.unsafe_l2.number >= s.unsafe_l2.number
      }, 120_000, 10)
      stages.push({ ready, atKill })
      return performance.now() - t0
    }
    const stages: Array<{ ready: number; atKill: number }> = []
    const resumeMs: number[] = []
    const floorMs: number[] = []
    const genesisFile = join(stateDir, 'replica-0', 'l2-genesis.json')
    for (let i = 0; i < runs; i++) {
      resumeMs.push(await restartOnce(false))
      const t0 = performance.now()
      const engine = await Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg: (JSON.parse(plan.services.find((s) => s.name === 'replica-0')!.files['config.json']) as RollupNodeConfig).rollup, log: logger('bench') })
      await rpc(engine.url, 'eth_chainId')
      floorMs.push(performance.now() - t0)
      await engine.stop()
    }
    const coldMs = await restartOnce(true)
    const head = (await syncStatus(seq)).unsafe_l2.number
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    return [
      {
        name: `replica killed (SIGKILL) on a ${blocks}-block chain: start to the sequencer's head`,
        value: median(resumeMs) / 1000,
        unit: 's',
        target: '<= 2 s',
        ok: median(resumeMs) <= 2000,
        runs: resumeMs.map((v) => v / 1000),
        note: `floor (one anvil start to answer, same run): median ${(median(floorMs) / 1000).toFixed(2)} s; cold start with the state wiped: ${(coldMs / 1000).toFixed(2)} s; chain head ${head}`,
      },
      {
        name: `same restarts: start to RPC ready / to the head the replica was killed at`,
        value: median(stages.slice(0, runs).map((s) => s.atKill)) / 1000,
        unit: 's',
        runs: stages.slice(0, runs).map((s) => s.atKill / 1000),
        note: `RPC ready after ${stages.slice(0, runs).map((s) => (s.ready / 1000).toFixed(2)).join(', ')} s; cold start: ready ${(stages[runs].ready / 1000).toFixed(2)} s, at the kill head ${(stages[runs].atKill / 1000).toFixed(2)} s`,
      },
    ]
  } finally {
    await runtime.stopAll()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

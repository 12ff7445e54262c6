/**
 * Pipeline figures of the lite profile on the process runtime:
 * - `devnet up` (startDevnet) to all RPCs ready;
 * - time to the replica's first safe head after the first L2 block;
 * - steady safe-head lag;
 * - replica catch-up rate for a replica started 500 L2 blocks behind.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startDevnet } from '../src/devnet/index.js'
import { planDevnet } from '../src/plan/plan.js'
import { resolvePorts } from '../src/devnet/ports.js'
import { ProcessRuntime } from '../src/runtime/process/index.js'
import { defaultTopology } from '../src/topology/index.js'
import { syncStatus, waitFor } from '../test/helpers.js'
import type { Figure } from './report.js'

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `op-devnet-bench-${p}-`))

export async function benchStartup(runs = 3): Promise<Figure[]> {
  const upMs: number[] = []
  const firstSafeMs: number[] = []
  const lagL2: number[] = []
  for (let i = 0; i < runs; i++) {
    const stateDir = tmp('up')
    const t0 = performance.now()
    const devnet = await startDevnet({ runtime: 'process', ports: 'auto', stateDir })
    upMs.push(performance.now() - t0)
    try {
      const seq = devnet.endpoints.sequencer.rollup
      const rep = devnet.endpoints['replica-0'].rollup
      await waitFor('first L2 block', async () => (await syncStatus(seq)).unsafe_l2.number >= 1, 10_000, 10)
      const tFirst = performance.now()
      await waitFor('first replica safe head', async () => (await syncStatus(rep)).safe_l2.number >= 1, 20_000, 10)
      firstSafeMs.push(performance.now() - tFirst)
      if (i === 0) {
        // Steady state: sample the replica's unsafe - safe distance for 20 s.
        await new Promise((r) => setTimeout(r, 3000))
        const end = Date.now() + 20_000
        while (Date.now() < end) {
          const s = await syncStatus(rep)
          lagL2.push(s.unsafe_l2.number - s.safe_l2.number)
          await new Promise((r) => setTimeout(r, 100))
        }
      }
    } finally {
      await devnet.stop()
      rmSync(stateDir, { recursive: true, force: true })
    }
  }
  const t = defaultTopology()
  const toL1 = (l2Blocks: number) => (l2Blocks * t.l2.blockTime) / t.l1.blockTime
  lagL2.sort((a, b) => a - b)
  return [
    { name: '`devnet up` to all RPCs ready (process)', value: median(upMs) / 1000, unit: 's', target: '<= 2 s', ok: median(upMs) <= 2000, runs: upMs.map((v) => v / 1000) },
    {
      name: 'first replica safe head after the first L2 block',
      value: median(firstSafeMs) / 1000,
      unit: 's',
      target: `<= ${t.l1.blockTime + 1} s (one L1 block + 1 s)`,
      ok: median(firstSafeMs) <= (t.l1.blockTime + 1) * 1000,
      runs: firstSafeMs.map((v) => v / 1000),
    },
    {
      name: 'steady safe-head lag (replica unsafe - safe), p50 / max',
      value: toL1(lagL2[Math.floor(lagL2.length / 2)]),
      unit: 'L1 blocks',
      target: '<= 2 L1 blocks',
      ok: toL1(lagL2[lagL2.length - 1]) <= 2,
      note: `p50 ${lagL2[Math.floor(lagL2.length / 2)]} L2 blocks, max ${lagL2[lagL2.length - 1]} L2 blocks (${toL1(lagL2[lagL2.length - 1])} L1 blocks), ${lagL2.length} samples`,
    },
  ]
}

/** Sequencer + batcher run from a genesis 520 s in the past; once 500 blocks are safe a replica starts. */
export async function benchCatchUp(blocks = 500): Promise<Figure[]> {
  const topology = defaultTopology()
  topology.ports = 'auto'
  const stateDir = tmp('catchup')
  const plan = planDevnet(topology, { runtime: 'process', ports: await resolvePorts(topology), genesisTime: Math.floor(Date.now() / 1000) - blocks - 20 })
  const runtime = new ProcessRuntime({ stateDir, liteEntrypoint: resolve('dist/components/main.js') })
  try {
    const handles = new Map<string, Awaited<ReturnType<ProcessRuntime['start']>>>()
    for (const s of plan.services.filter((s) => s.name !== 'replica-0')) handles.set(s.name, await runtime.start(s))
    const seq = handles.get('sequencer')!.endpoint('rollup')
    await waitFor(`sequencer safe >= ${blocks}`, async () => (await syncStatus(seq)).safe_l2.number >= blocks, 120_000, 100)
    const replicaPlan = plan.services.find((s) => s.name === 'replica-0')!
    const t0 = performance.now()
    const replica = await runtime.start(replicaPlan)
    const tReady = performance.now()
    const rep = replica.endpoint('rollup')
    const from = (await syncStatus(rep)).safe_l2.number
    await waitFor(`replica safe >= ${blocks}`, async () => (await syncStatus(rep)).safe_l2.number >= blocks, 120_000, 10)
    const tDone = performance.now()
    const rate = (blocks - from) / ((tDone - tReady) / 1000)
    const withStart = blocks / ((tDone - t0) / 1000)
    return [
      {
        name: `replica catch-up rate (${blocks} L2 blocks behind, derived from L1)`,
        value: Math.round(rate),
        unit: 'blocks/s',
        target: '>= 200 blocks/s',
        ok: rate >= 200,
        note: `from RPC ready; ${Math.round(withStart)} blocks/s counting the process start (${((tReady - t0) / 1000).toFixed(2)} s)`,
      },
    ]
  } finally {
    await runtime.stopAll()
    rmSync(stateDir, { recursive: true, force: true })
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

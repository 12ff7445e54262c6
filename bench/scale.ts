/**
 * Scale: a devnet of `replicas: N` (default 50, `BENCH_SCALE_REPLICAS`) on the process runtime, as a user runs
 * it (`node bin/devnet.js up --detach -f <file>`). Per run:
 * - the wall time of `up` to every RPC ready, and of `down`;
 * - once it has run for `BENCH_SCALE_SETTLE_S` (default 30 s), the CPU of the devnet's processes (every service
 *   and its children, from /proc: utime + stime over the real elapsed time, 20 s), and their memory as PSS
 *   (shared pages counted once);
 * - then every node's L2 head (`eth_blockNumber`, asked at the same moment): the largest distance behind the
 *   sequencer (NaN when the sequencer did not answer within 10 s), and how many nodes did not answer within 2 s;
 * - and how far the sequencer's latest block is behind the wall clock: a saturated sequencer falls behind its
 *   1 s block times, and the replicas stay close to it while the chain stalls.
 * The floor (one anvil start to answer) is measured in the same run.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { jsonRpc } from '../src/runtime/jsonrpc.js'
import { timed } from './cli.js'
import { anvilFloor, median } from './floor.js'
import { cpuTicks, processTree, pssGiB, TICKS_PER_S } from './proc.js'
import type { Figure } from './report.js'

const run = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Status { services: { name: string; role: string; pid?: number; endpoints: Record<string, string> }[] }

interface Sample { upMs: number; downMs: number; cpuPct: number; pss: number; lag: number; silent: number; behindS: number; processes: number }

async function oneRun(replicas: number, settleMs: number): Promise<Sample> {
  const cwd = mkdtempSync(join(tmpdir(), 'op-devnet-bench-scale-'))
  const stateDir = join(cwd, 'state')
  const file = join(cwd, 'devnet.yaml')
  writeFileSync(file, `name: bench-scale\nl2:\n  replicas: ${replicas}\n`)
  try {
    const upMs = await timed(['up', '--detach', '--runtime', 'process', '--ports', 'auto', '-f', file, '--state-dir', stateDir], cwd)
    const { stdout } = await run(process.execPath, [resolve('bin/devnet.js'), 'status', '--json', '--state-dir', stateDir], { cwd, maxBuffer: 1 << 24 })
    const status = JSON.parse(stdout) as Status
    await sleep(settleMs)
    const pids = processTree(status.services.flatMap((s) => (s.pid === undefined ? [] : [s.pid])))
    const t0 = performance.now()
    const before = cpuTicks(pids)
    await sleep(20_000)
    const after = cpuTicks(pids)
    const secs = (performance.now() - t0) / 1000
    let ticks = 0
    for (const [pid, t] of after) ticks += t - (before.get(pid) ?? t)
    const pss = pssGiB(pids)
    const nodes = status.services.filter((s) => s.endpoints.el !== undefined)
    // The sequencer is the reference: it gets 10 s (a saturated machine answers late), the others 2 s.
    const heads = await Promise.all(nodes.map((s) =>
      jsonRpc<string>(s.endpoints.el!, 'eth_blockNumber', [], { timeoutMs: s.role === 'sequencer' ? 10_000 : 2_000 }).then(Number, () => undefined)))
    const seqNode = nodes.find((s) => s.role === 'sequencer')!
    const seq = heads[nodes.indexOf(seqNode)]
    // Whether the chain keeps time: a saturated sequencer falls behind its block times, and every replica with it.
    const latest = await jsonRpc<{ timestamp: string }>(seqNode.endpoints.el!, 'eth_getBlockByNumber', ['latest', false], { timeoutMs: 10_000 }).catch(() => undefined)
    const behindS = latest === undefined ? Number.NaN : Date.now() / 1000 - Number(latest.timestamp)
    const answered = heads.filter((h): h is number => h !== undefined)
    const lag = seq === undefined ? Number.NaN : Math.max(0, ...answered.map((h) => seq - h))
    const downMs = await timed(['down', '--state-dir', stateDir], cwd)
    return { upMs, downMs, cpuPct: (ticks * 100) / TICKS_PER_S / secs, pss, lag, silent: heads.length - answered.length, behindS, processes: pids.length }
  } finally {
    await timed(['down', '--state-dir', stateDir], cwd).catch(() => 0)
    rmSync(cwd, { recursive: true, force: true })
  }
}

export async function benchScale(
  replicas = Number(process.env.BENCH_SCALE_REPLICAS ?? 50),
  runs = Number(process.env.BENCH_SCALE_RUNS ?? 3),
): Promise<Figure[]> {
  const settleMs = Number(process.env.BENCH_SCALE_SETTLE_S ?? 30) * 1000
  const samples: Sample[] = []
  const floorMs: number[] = []
  for (let i = 0; i < runs; i++) {
    floorMs.push(await anvilFloor())
    samples.push(await oneRun(replicas, settleMs))
  }
  const floor = median(floorMs)
  const of = (k: keyof Sample) => samples.map((s) => s[k])
  const label = `${replicas} replicas (process)`
  const floorNote = `floor (one anvil start to answer, same run): median ${(floor / 1000).toFixed(3)} s`
  const up = median(of('upMs'))
  return [
    {
      name: `${label}: \`up --detach\` to every RPC ready, wall`, value: up / 1000, unit: 's', target: '<= 10 s', ok: up <= 10_000,
      runs: of('upMs').map((v) => v / 1000), note: `${floorNote}; ratio ${(up / floor).toFixed(0)}; ${samples[0]!.processes} processes`,
    },
    { name: `${label}: \`down\`, wall`, value: median(of('downMs')) / 1000, unit: 's', runs: of('downMs').map((v) => v / 1000) },
    {
      name: `${label}: steady CPU of all its processes, ${settleMs / 1000} s after up, over 20 s`, value: median(of('cpuPct')), unit: '%',
      target: '<= 150 %', ok: median(of('cpuPct')) <= 150, runs: of('cpuPct'), note: 'of one core; this machine has 2 (200 % is saturation)',
    },
    { name: `${label}: memory (PSS, shared pages once)`, value: median(of('pss')), unit: 'GiB', target: '<= 6 GiB', ok: median(of('pss')) <= 6, runs: of('pss') },
    {
      name: `${label}: largest distance of a node's L2 head behind the sequencer`, value: median(of('lag')), unit: 'blocks', target: '<= 2',
      ok: median(of('lag')) <= 2 && samples.every((s) => s.silent === 0), runs: of('lag'),
      note: `nodes that did not answer eth_blockNumber within 2 s, per run: ${of('silent').join(', ')}`,
    },
    {
      name: `${label}: the sequencer's L2 head behind the wall clock (the chain keeps time)`, value: median(of('behindS')), unit: 's',
      target: '<= 3 s', ok: median(of('behindS')) <= 3, runs: of('behindS'),
      note: 'now minus the timestamp of its latest block; L2 blocks are 1 s apart. Heads close to the sequencer mean little if it has fallen behind',
    },
  ]
}

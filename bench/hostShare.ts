/**
 * What sharing one host process among rollup nodes would save (issue 11's suggested lever), measured before
 * building it. A devnet of `replicas: N` (default 10, `BENCH_HOST_REPLICAS`) on the process runtime; the
 * last K replicas (default 8, `BENCH_HOST_K`) are first restarted as K processes of their own (so both sides
 * run nodes that resumed from their snapshots), measured, stopped, and started again as K nodes in one Node
 * process (`bench/hostProcess.mjs`: `startRollupNode` of the built program, each from its own directory,
 * spawning its own anvil), and measured the same way. Per side, 15 s after the nodes started, over 20 s:
 * the nodes' CPU (utime + stime from /proc, % of one core) without and with their anvils, their memory (PSS
 * of the node processes and their anvils), each node's L2 head behind the sequencer and its libp2p peer count.
 * Not a shipped feature: faults on a node in a shared process would need an in-process crash and pause.
 * @example npx tsx bench/index.ts host-share
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startDevnet, type Devnet } from '../src/devnet/index.js'
import { anvilBinary } from '../src/runtime/process/index.js'
import { loadTopology } from '../src/topology/index.js'
import { rpc } from '../test/helpers.js'
import { median } from './floor.js'
import type { Figure } from './report.js'
import { cpuTicks, processTree, pssGiB } from './proc.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const SETTLE_MS = 15_000
const WINDOW_MS = 20_000

interface Side { nodesPct: number; withAnvilsPct: number; pssGiB: number; maxLag: number; peers: number[] }

/** CPU of the process trees under `roots` over the window: the roots alone and with their children, % of a core. */
async function measure(devnet: Devnet, names: string[], roots: number[]): Promise<Side> {
  await sleep(SETTLE_MS)
  const tree = processTree(roots)
  const t0 = performance.now()
  const before = cpuTicks(tree)
  await sleep(WINDOW_MS)
  const after = cpuTicks(tree)
  const secs = (performance.now() - t0) / 1000
  const pct = (pids: number[]) => pids.reduce((s, pid) => s + (after.get(pid) ?? 0) - (before.get(pid) ?? after.get(pid) ?? 0), 0) / secs
  const heads = await Promise.all(['sequencer', ...names].map((n) => devnet.l2(n).getBlockNumber().then(Number, () => Number.NaN)))
  const peers = await Promise.all(names.map((n) => rpc(devnet.endpoints[n]!.rollup!, 'opp2p_peerStats').then((s: { connected: number }) => s.connected, () => -1)))
  return { nodesPct: pct(roots), withAnvilsPct: pct(tree), pssGiB: pssGiB(tree), maxLag: Math.max(...heads.slice(1).map((h) => heads[0]! - h)), peers }
}

async function oneRun(replicas: number, k: number): Promise<{ separate: Side; shared: Side }> {
  const dir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-host-'))
  writeFileSync(join(dir, 'devnet.yaml'), `name: bench-host\nl2:\n  replicas: ${replicas}\n`)
  const devnet = await startDevnet({ runtime: 'process', ports: 'auto', stateDir: join(dir, 'state'), topology: await loadTopology(join(dir, 'devnet.yaml')) })
  const names = Array.from({ length: k }, (_, i) => `replica-${replicas - k + i}`)
  const pidOf = (n: string) => Number(readFileSync(join(dir, 'state', n, 'pid'), 'utf8'))
  let host: ReturnType<typeof spawn> | undefined
  try {
    await Promise.all(names.map((n) => devnet.service(n).restart()))
    const separate = await measure(devnet, names, names.map(pidOf))
    for (const n of names) await devnet.service(n).stop()
    host = spawn(process.execPath, [fileURLToPath(new URL('./hostProcess.mjs', import.meta.url)), ...names.map((n) => join(dir, 'state', n))], {
      env: { ...process.env, DEVNET_ANVIL_BIN: anvilBinary() }, stdio: ['ignore', 'ignore', 'pipe'],
    })
    await new Promise<void>((resolve, reject) => {
      host!.stderr!.on('data', (d) => String(d).includes('host: started') && resolve())
      host!.once('exit', (code) => reject(new Error(`the host process exited with ${code}`)))
    })
    const shared = await measure(devnet, names, [host.pid!])
    return { separate, shared }
  } finally {
    if (host?.pid) for (const pid of processTree([host.pid]).reverse()) try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
    await devnet.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchHostShare(
  replicas = Number(process.env.BENCH_HOST_REPLICAS ?? 10),
  k = Number(process.env.BENCH_HOST_K ?? 8),
  runs = Number(process.env.BENCH_HOST_RUNS ?? 3),
): Promise<Figure[]> {
  const samples: Array<{ separate: Side; shared: Side }> = []
  for (let i = 0; i < runs; i++) samples.push(await oneRun(replicas, k))
  const figures: Figure[] = []
  for (const side of ['separate', 'shared'] as const) {
    const of = (key: 'nodesPct' | 'withAnvilsPct' | 'pssGiB' | 'maxLag') => samples.map((s) => s[side][key])
    const label = `${k} replicas ${side === 'separate' ? 'as processes of their own' : 'in one host process'} (of ${replicas})`
    figures.push(
      { name: `${label}: steady CPU of the nodes`, value: median(of('nodesPct')), unit: '%', runs: of('nodesPct'), note: `per node ${(median(of('nodesPct')) / k).toFixed(2)} %` },
      { name: `${label}: same, with their anvils`, value: median(of('withAnvilsPct')), unit: '%', runs: of('withAnvilsPct') },
      { name: `${label}: memory (PSS, nodes and anvils)`, value: median(of('pssGiB')), unit: 'GiB', runs: of('pssGiB') },
      { name: `${label}: largest L2 head distance behind the sequencer`, value: median(of('maxLag')), unit: 'blocks', runs: of('maxLag'), note: `libp2p peers per node (last run): ${samples.at(-1)![side].peers.join(', ')}` },
    )
  }
  return figures
}

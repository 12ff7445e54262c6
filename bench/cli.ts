/**
 * `devnet --help`, `devnet up --detach` and `devnet down` as a user runs them (`node bin/devnet.js`, default
 * topology, process runtime, free ports), wall time of each command to its exit: `up` returns once every RPC
 * is ready. The floor is one anvil from spawn to answering `eth_chainId`, measured in the same run; the ratio
 * is figure / floor.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { anvilFloor, cpuFigure, median } from './floor.js'
import type { Figure } from './report.js'
import { readPidFile } from '../src/runtime/process/group.js'
import { cpuMsByGroup, machineBusyMs } from './proc.js'

const run = promisify(execFile)

/** Wall time of `node bin/devnet.js <args>`, ms. */
export async function timed(args: string[], cwd: string): Promise<number> {
  return (await timedWithCpu(args, cwd)).wallMs
}

/** Wall time of `node bin/devnet.js <args>` and the CPU the whole machine spent meanwhile, ms. */
export async function timedWithCpu(args: string[], cwd: string): Promise<{ wallMs: number; busyMs: number }> {
  const busy0 = machineBusyMs()
  const t0 = performance.now()
  await run(process.execPath, [resolve('bin/devnet.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } })
  return { wallMs: performance.now() - t0, busyMs: machineBusyMs() - busy0 }
}

/**
 * CPU each service of a detached devnet has used so far, ms: every process of its process group (a rollup
 * node's anvil too), from `/proc`. Read right after `up` returns, it is what each service spent to be ready.
 */
export function serviceCpuMs(stateDir: string): Map<string, number> {
  const byGroup = cpuMsByGroup()
  const out = new Map<string, number>()
  for (const service of readdirSync(stateDir, { withFileTypes: true })) {
    const pid = service.isDirectory() ? readPidFile(join(stateDir, service.name)) : undefined
    if (pid) out.set(service.name, byGroup.get(pid) ?? 0)
  }
  return out
}

export async function benchCli(runs = 5): Promise<Figure[]> {
  const cwd = mkdtempSync(join(tmpdir(), 'op-devnet-bench-cli-'))
  const stateDir = join(cwd, 'state')
  const upMs: number[] = []
  const upBusyMs: number[] = []
  const downMs: number[] = []
  const helpMs: number[] = []
  const floorMs: number[] = []
  const perService = new Map<string, number[]>()
  try {
    for (let i = 0; i < runs; i++) {
      floorMs.push(await anvilFloor())
      helpMs.push(await timed(['--help'], cwd))
      const up = await timedWithCpu(['up', '--detach', '--runtime', 'process', '--ports', 'auto', '--state-dir', stateDir], cwd)
      upMs.push(up.wallMs)
      upBusyMs.push(up.busyMs)
      for (const [service, ms] of serviceCpuMs(stateDir)) perService.set(service, [...(perService.get(service) ?? []), ms])
      downMs.push(await timed(['down', '--state-dir', stateDir], cwd))
    }
  } finally {
    await timed(['down', '--state-dir', stateDir], cwd).catch(() => 0)
    rmSync(cwd, { recursive: true, force: true })
  }
  const floor = median(floorMs)
  const figure = (name: string, xs: number[], targetMs: number): Figure => ({
    name,
    value: median(xs) / 1000,
    unit: 's',
    target: `<= ${targetMs / 1000} s`,
    ok: median(xs) <= targetMs,
    runs: xs.map((v) => v / 1000),
    note: `floor (one anvil start to answer, same run): median ${(floor / 1000).toFixed(3)} s; ratio ${(median(xs) / floor).toFixed(0)}`,
  })
  return [
    figure('`node bin/devnet.js --help`', helpMs, 250),
    figure('`node bin/devnet.js up --detach` to every RPC ready (default topology, process)', upMs, 1000),
    cpuFigure('CPU the machine spent during that `up` (CLI, services, anvils)', upBusyMs, upMs),
    serviceCpuFigure(perService, upBusyMs),
    figure('`node bin/devnet.js down` (same devnet)', downMs, 300),
  ]
}

/** The services' share of `up`'s CPU, each service's median; the rest is the CLI's and the kernel's. */
function serviceCpuFigure(perService: Map<string, number[]>, upBusyMs: number[]): Figure {
  const medians = [...perService].map(([service, xs]) => [service, median(xs)] as const).sort((a, b) => b[1] - a[1])
  const services = medians.reduce((sum, [, ms]) => sum + ms, 0)
  return {
    name: 'of which the services (median each; a rollup node with its anvil)',
    value: services / 1000,
    unit: 'core-s',
    note: `${medians.map(([s, ms]) => `${s} ${(ms / 1000).toFixed(2)}`).join(', ')}; the rest, the CLI and the kernel: ${((median(upBusyMs) - services) / 1000).toFixed(2)} core-s; no target`,
  }
}

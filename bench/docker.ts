/**
 * Docker figures: building the lite image, and `devnet up --detach --runtime docker` as a user runs it
 * (`node bin/devnet.js`, default topology, free ports, image built), wall time to its exit (every RPC
 * ready), with the floor (one anvil start to answer) measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../src/devnet/start.js'
import { buildBaseImage, buildLiteImage, dockerAvailable, dockerClient, ensureLiteImage, imageDefaults } from '../src/runtime/docker/index.js'
import { timed, timedWithCpu } from './cli.js'
import { anvilFloor, cpuFigure, median } from './floor.js'
import type { Figure } from './report.js'

export async function benchDocker(runs = 3): Promise<Figure[]> {
  if (!(await dockerAvailable())) return [{ name: 'docker figures', value: 0, unit: '', note: 'skipped: no Docker engine answers' }]
  const repoRoot = packageRoot()
  const t0 = performance.now()
  await buildBaseImage({ repoRoot, tag: imageDefaults.localBaseImage })
  const baseSeconds = (performance.now() - t0) / 1000
  const { tag } = await ensureLiteImage({ repoRoot })
  await dockerClient().getImage(tag).remove({ force: true })
  const t1 = performance.now()
  await buildLiteImage({ repoRoot })
  const liteSeconds = (performance.now() - t1) / 1000
  const upMs: number[] = []
  const upBusyMs: number[] = []
  const floorMs: number[] = []
  const cwd = mkdtempSync(join(tmpdir(), 'op-devnet-bench-docker-'))
  const stateDir = join(cwd, 'state')
  try {
    for (let i = 0; i < runs; i++) {
      floorMs.push(await anvilFloor())
      const started = await timedWithCpu(['up', '--detach', '--runtime', 'docker', '--ports', 'auto', '--state-dir', stateDir], cwd)
      upMs.push(started.wallMs)
      upBusyMs.push(started.busyMs)
      await timed(['down', '--state-dir', stateDir], cwd)
    }
  } finally {
    await timed(['down', '--state-dir', stateDir], cwd).catch(() => 0)
    rmSync(cwd, { recursive: true, force: true })
  }
  const up = median(upMs)
  const floor = median(floorMs)
  return [
    {
      name: '`node bin/devnet.js up --detach --runtime docker` to every RPC ready (default topology, image built)',
      value: up / 1000,
      unit: 's',
      target: '<= 2.5 s',
      ok: up <= 2500,
      runs: upMs.map((v) => v / 1000),
      note: `floor (one anvil start to answer, same run): median ${(floor / 1000).toFixed(3)} s; ratio ${(up / floor).toFixed(0)}`,
    },
    cpuFigure('CPU the machine spent during that `up` (CLI, services, anvils, dockerd, containerd, runc, docker-proxy)', upBusyMs, upMs),
    { name: 'lite image build (base present, dist/ changed)', value: liteSeconds, unit: 's', note: 'no target' },
    { name: 'registry-free base image build (FROM scratch + host binaries)', value: baseSeconds, unit: 's', note: 'no target' },
  ]
}

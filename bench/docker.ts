/** Docker figures: building the lite image, and `devnet up --runtime docker` to all RPCs ready with the image built. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot, startDevnet } from '../src/devnet/start.js'
import { buildBaseImage, buildLiteImage, dockerAvailable, dockerClient, ensureLiteImage, imageDefaults } from '../src/runtime/docker/index.js'
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
  const upSeconds: number[] = []
  for (let i = 0; i < runs; i++) {
    const stateDir = mkdtempSync(join(tmpdir(), 'op-devnet-bench-docker-'))
    const t = performance.now()
    const devnet = await startDevnet({ runtime: 'docker', ports: 'auto', stateDir })
    upSeconds.push((performance.now() - t) / 1000)
    await devnet.stop()
    rmSync(stateDir, { recursive: true, force: true })
  }
  const median = [...upSeconds].sort((a, b) => a - b)[Math.floor(upSeconds.length / 2)]
  return [
    { name: '`devnet up --runtime docker` to all RPCs ready (image built)', value: median, unit: 's', target: '<= 5 s', ok: median <= 5, runs: upSeconds },
    { name: 'lite image build (base present, dist/ changed)', value: liteSeconds, unit: 's', note: 'no target' },
    { name: 'registry-free base image build (FROM scratch + host binaries)', value: baseSeconds, unit: 's', note: 'no target' },
  ]
}

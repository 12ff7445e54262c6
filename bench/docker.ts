/**
 * Docker figures: building the lite image, and `devnet up --detach --runtime docker` as a user runs it
 * (`node bin/devnet.js`, default topology, free ports, image built), wall time to its exit (every RPC
 * ready), with the floor (one anvil start to answer) measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../src/devnet/start.js'
import { buildBaseImage, buildLiteImage, containerSpec, dockerAvailable, dockerClient, ensureLiteImage, imageDefaults } from '../src/runtime/docker/index.js'
import { planDevnet } from '../src/plan/plan.js'
import { resolvePorts } from '../src/devnet/ports.js'
import { defaultTopology } from '../src/topology/index.js'
import { timed, timedWithCpu } from './cli.js'
import { anvilFloor, cpuFigure, median } from './floor.js'
import type { Figure } from './report.js'
import type Docker from 'dockerode'

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
  const engineMs: number[] = []
  const cwd = mkdtempSync(join(tmpdir(), 'op-devnet-bench-docker-'))
  const stateDir = join(cwd, 'state')
  try {
    for (let i = 0; i < runs; i++) {
      floorMs.push(await anvilFloor())
      engineMs.push(await engineFloor(tag))
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
    {
      name: 'the engine alone: the same containers (networks, published ports, init), running `sleep`, created and started at once',
      value: median(engineMs) / 1000,
      unit: 's',
      runs: engineMs.map((v) => v / 1000),
      note: 'no target: what this engine takes before any service runs; the `up` above less this is the devnet\'s own part',
    },
    { name: 'lite image build (base present, dist/ changed)', value: liteSeconds, unit: 's', note: 'no target' },
    { name: 'registry-free base image build (FROM scratch + host binaries)', value: baseSeconds, unit: 's', note: 'no target' },
  ]
}

/**
 * The default topology's containers as the docker runtime makes them (`containerSpec`: the same networks,
 * published ports and init), each running `sleep` instead of its service: networks created, containers
 * created and started at once, ms until the last start returns. Everything removed after.
 */
async function engineFloor(image: string): Promise<number> {
  const docker = dockerClient()
  const topology = { ...defaultTopology(), name: `bench-engine-${process.pid}` }
  const plan = planDevnet(topology, { runtime: 'docker', ports: await resolvePorts(topology), genesisTime: Math.floor(Date.now() / 1000) })
  const specs = plan.services.map((service) => containerSpec(service, topology.name))
  const t0 = performance.now()
  const networks = new Map<string, Docker.Network>()
  for (const n of specs.flatMap((c) => c.networks)) {
    if (!networks.has(n.name)) networks.set(n.name, await docker.createNetwork({ Name: n.name, Internal: n.internal }))
  }
  const containers: Docker.Container[] = []
  try {
    await Promise.all(specs.map(async (c) => {
      const [first, ...rest] = c.networks
      const key = (p: { container: number; udp: boolean }) => `${p.container}/${p.udp ? 'udp' : 'tcp'}`
      const container = await docker.createContainer({
        name: c.name,
        Image: image,
        Entrypoint: ['sleep'],
        Cmd: ['60'],
        ExposedPorts: Object.fromEntries(c.ports.map((p) => [key(p), {}])),
        HostConfig: { Init: c.init, NetworkMode: first!.name, Sysctls: c.sysctls, PortBindings: Object.fromEntries(c.ports.map((p) => [key(p), [{ HostIp: c.hostIp, HostPort: String(p.host) }]])) },
      })
      containers.push(container)
      for (const n of rest) await networks.get(n.name)!.connect({ Container: container.id })
      await container.start()
    }))
    return performance.now() - t0
  } finally {
    await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => {})))
    for (const network of networks.values()) await network.remove().catch(() => {})
  }
}

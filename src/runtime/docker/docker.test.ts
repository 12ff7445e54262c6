import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { ServiceError } from '../../errors.js'
import type { ServicePlan } from '../../plan/types.js'
import { isProcessAlive } from '../process/group.js'
import { allocatePorts } from '../ports.js'
import { requires } from '../../../test/requires.js'
import { dockerAvailable, dockerClient, labels } from './engine.js'
import { ensureLiteImage, imageDefaults, imageExists } from './image.js'
import { DockerRuntime, type DockerRuntimeOptions } from './index.js'
import { aliasOf, networkName } from './networks.js'
import { sweep } from './sweep.js'

const engine = await dockerAvailable()
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const docker = dockerClient()

let root: string
let image: string
const runtimes: DockerRuntime[] = []
const devnets = new Set<string>()
let devnetCount = 0

function newRuntime(options: Partial<DockerRuntimeOptions> = {}): DockerRuntime {
  const devnet = `odt${process.pid}-${devnetCount++}`
  devnets.add(devnet)
  const runtime = new DockerRuntime({
    devnet,
    stateDir: join(root, devnet),
    image,
    sessionId: `test-${process.pid}`,
    stopGraceMs: 1_000,
    ...options,
  })
  runtimes.push(runtime)
  return runtime
}

function anvilPlan(name: string, host: number, overrides: Partial<ServicePlan> = {}): ServicePlan {
  return {
    name,
    role: 'l1',
    program: 'anvil',
    args: ['--host', '0.0.0.0', '--port', '8545'],
    env: {},
    ports: { rpc: { port: 8545, host, protocol: 'http', public: true } },
    files: {},
    readiness: { kind: 'rpc', port: 'rpc', method: 'eth_chainId' },
    dependsOn: [],
    ...overrides,
  }
}

/** An anvil that also joins the p2p network (it has a `p2p` port; anvil itself only answers on 8545). */
async function p2pPlan(name: string): Promise<ServicePlan> {
  const [rpc, p2p] = await allocatePorts(2)
  return anvilPlan(name, rpc!, {
    ports: {
      rpc: { port: 8545, host: rpc!, protocol: 'http', public: true },
      p2p: { port: 9222, host: p2p!, protocol: 'tcp', public: false },
    },
  })
}

async function rpc(url: string, method: string, timeoutMs = 2_000): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return ((await response.json()) as { result: unknown }).result
}

const connectScript = `
const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]), timeout: 1500 })
s.on('connect', () => { console.log('ok'); process.exit(0) })
s.on('timeout', () => { console.log('timeout'); process.exit(1) })
s.on('error', (e) => { console.log(e.code || e.message); process.exit(1) })`

/** TCP connect from inside `container` (`docker exec node -e`): `ok`, `timeout`, `ENOTFOUND`, ... */
async function reach(container: string, host: string, port = 8545): Promise<string> {
  return execIn(container, ['node', '-e', connectScript, host, String(port)])
}

/** Runs a command in a container (`docker exec`), returns its output. */
async function execIn(container: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true })
  const stream = await exec.start({ hijack: true, stdin: false })
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  await new Promise((resolve) => stream.on('end', resolve))
  const raw = Buffer.concat(chunks)
  let text = ''
  for (let offset = 0; offset + 8 <= raw.length; offset += 8 + raw.readUInt32BE(offset + 4)) {
    text += raw.subarray(offset + 8, offset + 8 + raw.readUInt32BE(offset + 4)).toString()
  }
  return text.trim()
}

/** Addresses a name resolves to inside `container`. */
async function lookup(container: string, name: string): Promise<string[]> {
  const script = `require('node:dns').lookup(process.argv[1], { all: true }, (e, a) => console.log(JSON.stringify(e ? [] : a.map((x) => x.address))))`
  return JSON.parse(await execIn(container, ['node', '-e', script, name])) as string[]
}

async function addressOf(container: string, network: string): Promise<string> {
  return (await docker.getContainer(container).inspect()).NetworkSettings.Networks[network]!.IPAddress
}

/** Names of containers / networks labelled with this devnet (`docker ps -a --filter label=...`). */
async function leftovers(devnet: string): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`${labels.devnet}=${devnet}`] }
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => c.Names[0] ?? c.Id)
  const networks = (await docker.listNetworks({ filters })).map((n) => n.Name)
  return { containers, networks }
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
  const pid = Number(child.stdout.trim())
  if (isProcessAlive(pid)) throw new Error('pid still alive')
  return pid
}

requires('a Docker engine', engine, 'bash scripts/docker-engine.sh')('docker runtime', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'op-devnet-docker-'))
    const hadBase = await imageExists(imageDefaults.localBaseImage)
    const started = Date.now()
    const built = await ensureLiteImage({ repoRoot, baseImage: imageDefaults.localBaseImage })
    image = built.tag
    console.info(`lite image ${image}: ${built.built ? `built in ${built.durationMs} ms` : 'up to date'}${hadBase ? '' : ' (base built first)'} (${Date.now() - started} ms)`)
  }, 300_000)

  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.stopAll()))
  })

  afterAll(async () => {
    for (const devnet of devnets) await sweep({ devnet })
    if (root) rmSync(root, { recursive: true, force: true })
  })

  test('default', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    const started = Date.now()
    const l1 = await runtime.start(anvilPlan('l1', port!))
    console.info(`anvil container start-to-ready: ${Date.now() - started} ms`)
    expect(l1.state()).toBe('running')
    expect(l1.endpoint('rpc')).toBe(`http://127.0.0.1:${port}`)
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')

    const info = await docker.getContainer(l1.id).inspect()
    const devnet = runtime.options.devnet
    expect(info.Name).toBe(`/${devnet}-l1`)
    expect(info.Config.Labels).toMatchObject({
      [labels.session]: runtime.options.sessionId,
      [labels.devnet]: devnet,
      [labels.service]: 'l1',
      [labels.pid]: String(process.pid),
    })
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([networkName(devnet, 'rpc')]) // no p2p port, no default bridge
    expect(info.NetworkSettings.Networks[networkName(devnet, 'rpc')]!.Aliases).toContain(`${devnet}-l1`)
    expect(info.HostConfig.PortBindings).toEqual({ '8545/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] })
  })

  test('behavior: writes files into the bind-mounted service directory, the workdir', async () => {
    const [port] = await allocatePorts(1)
    const genesis = { config: { chainId: 1337 }, alloc: {}, gasLimit: '0x1c9c380', timestamp: '0x0', difficulty: '0x0', extraData: '0x' }
    const l1 = await newRuntime().start(anvilPlan('l1', port!, {
      args: ['--init', 'conf/genesis.json', '--host', '0.0.0.0', '--port', '8545'],
      files: { 'conf/genesis.json': JSON.stringify(genesis) },
    }))
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x539')
    expect((await docker.getContainer(l1.id).inspect()).Config.WorkingDir).toBe('/devnet/l1')
  })

  test('behavior: captures logs in the ring buffer and service.log', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    expect(l1.logs().join('\n')).toContain('Listening on 0.0.0.0:8545')
    expect(l1.logs(1)).toHaveLength(1)
    await rpc(l1.endpoint('rpc'), 'eth_blockNumber')
    await expect.poll(() => readFileSync(l1.logFile, 'utf8')).toContain('eth_blockNumber')
    expect(readFileSync(l1.logFile, 'utf8')).toContain('Listening on 0.0.0.0:8545')
  })

  test('behavior: pause makes calls hang, resume brings them back', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    await l1.pause()
    expect(l1.state()).toBe('paused')
    await expect(rpc(l1.endpoint('rpc'), 'eth_chainId', 500)).rejects.toThrow()
    await l1.resume()
    expect(l1.state()).toBe('running')
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  })

  test('behavior: kill leaves the container exited until stop removes it', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    await l1.kill()
    expect(l1.state()).toBe('exited')
    const info = await docker.getContainer(l1.id).inspect()
    expect(info.State.Status).toBe('exited')
    expect(info.State.ExitCode).toBe(137)
    await l1.stop()
    expect(l1.state()).toBe('exited')
    await expect(docker.getContainer(l1.id).inspect()).rejects.toMatchObject({ statusCode: 404 })
    await l1.stop() // idempotent
  })

  test('behavior: restart answers on the same host port, also after a kill', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    const id = l1.id
    await rpc(l1.endpoint('rpc'), 'evm_mine')
    await l1.restart()
    expect(l1.state()).toBe('running')
    expect(l1.id).toBe(id)
    expect(l1.endpoint('rpc')).toBe(`http://127.0.0.1:${port}`)
    expect(await rpc(l1.endpoint('rpc'), 'eth_blockNumber')).toBe('0x0') // a new anvil
    await l1.kill()
    await l1.restart()
    expect(await rpc(`http://127.0.0.1:${port}`, 'eth_chainId')).toBe('0x7a69')
  })

  test('behavior: kill and stop work on a paused service', async () => {
    const [port, other] = await allocatePorts(2)
    const runtime = newRuntime()
    const a = await runtime.start(anvilPlan('a', port!))
    await a.pause()
    await a.kill()
    expect(a.state()).toBe('exited')
    const b = await runtime.start(anvilPlan('b', other!))
    await b.pause()
    await b.stop()
    expect(b.state()).toBe('stopped')
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([`/${runtime.options.devnet}-a`])
  })

  test('behavior: stop is idempotent and reuses the in-flight promise', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!))
    const first = l1.stop()
    expect(l1.stop()).toBe(first)
    await first
    expect(l1.state()).toBe('stopped')
  })

  test('error: a program that exits at once gives ServiceError with its last log lines, and leaves nothing', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    const plan = anvilPlan('batcher', port!, { program: 'lite', role: 'batcher', args: ['no-such-component'] })
    const error = await runtime.start(plan).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect((error as ServiceError).service).toBe('batcher')
    expect((error as ServiceError).shortMessage).toMatch(/exited with code 2 before it was ready/)
    expect((error as ServiceError).metaMessages?.join('\n')).toContain('usage: main.js')
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([])
    expect(readFileSync(join(runtime.options.stateDir, 'batcher', 'service.log'), 'utf8')).toContain('usage: main.js')
  })

  test('behavior: a port readiness waits for the program, not for docker-proxy', async () => {
    const [port] = await allocatePorts(1)
    const l1 = await newRuntime().start(anvilPlan('l1', port!, { readiness: { kind: 'port', port: 'rpc' } }))
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  })

  test('error: not ready in time gives a timeout ServiceError and removes the container', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    const plan = anvilPlan('l1', port!, { readiness: { kind: 'rpc', port: 'rpc', method: 'eth_noSuchMethod' } })
    const error = await runtime.start(plan, { readyTimeoutMs: 1_500 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ service: 'l1', code: 'DEVNET_SERVICE_TIMEOUT' })
    expect((error as ServiceError).metaMessages?.join('\n')).toContain('Listening on')
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([])
  })

  test('error: a port already published fails the start and removes the container', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    await runtime.start(anvilPlan('l1', port!))
    const error = await runtime.start(anvilPlan('other', port!)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect((error as Error).message).toMatch(/port is already allocated|address already in use/)
    expect((await leftovers(runtime.options.devnet)).containers).toEqual([`/${runtime.options.devnet}-l1`])
  })

  test('behavior: stopAll removes every container and network of the devnet', async () => {
    const runtime = newRuntime()
    const [l1Port] = await allocatePorts(1)
    await runtime.start(anvilPlan('l1', l1Port!))
    await runtime.start(await p2pPlan('a'))
    const devnet = runtime.options.devnet
    expect((await leftovers(devnet)).networks.sort()).toEqual([networkName(devnet, 'p2p'), networkName(devnet, 'rpc')])
    await runtime.stopAll()
    expect(await leftovers(devnet)).toEqual({ containers: [], networks: [] })
    await runtime.stopAll() // idempotent
  })

  test('behavior: partition p2p cuts p2p between groups only; heal restores it', async () => {
    const runtime = newRuntime()
    const devnet = runtime.options.devnet
    const [cPort] = await allocatePorts(1)
    await runtime.start(anvilPlan('c', cPort!))
    const a = await runtime.start(await p2pPlan('a'))
    const b = await runtime.start(await p2pPlan('b'))
    const [ca, cb] = [`${devnet}-a`, `${devnet}-b`]
    const bP2pAddress = await addressOf(cb, networkName(devnet, 'p2p'))
    expect(await reach(ca, aliasOf(devnet, 'b', 'p2p'))).toBe('ok')
    expect(await reach(ca, bP2pAddress)).toBe('ok')
    // the container name resolves to the rpc address only, the -p2p alias to the p2p address only
    expect(await lookup(ca, `${devnet}-b`)).toEqual([await addressOf(cb, networkName(devnet, 'rpc'))])
    expect(await lookup(ca, aliasOf(devnet, 'b', 'p2p'))).toEqual([bP2pAddress])

    const started = Date.now()
    await runtime.partition([['a'], ['b']])
    console.info(`partition p2p of 2 containers: ${Date.now() - started} ms`)
    expect(runtime.partitioned()?.moved).toHaveLength(1)
    expect(await reach(ca, aliasOf(devnet, 'b', 'p2p'))).toBe('ENOTFOUND')
    expect(await reach(cb, aliasOf(devnet, 'a', 'p2p'))).toBe('ENOTFOUND')
    expect(await reach(ca, bP2pAddress)).not.toBe('ok')
    const bNow = (await docker.getContainer(cb).inspect()).NetworkSettings.Networks
    for (const address of Object.values(bNow).map((n) => n.IPAddress)) {
      if (address !== (await addressOf(cb, networkName(devnet, 'rpc')))) expect(await reach(ca, address)).not.toBe('ok')
    }
    // rpc is untouched: both reach c and each other by name, and the host reaches everyone
    expect(await reach(ca, `${devnet}-c`)).toBe('ok')
    expect(await reach(cb, `${devnet}-c`)).toBe('ok')
    expect(await reach(ca, `${devnet}-b`)).toBe('ok')
    expect(await rpc(a.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
    expect(await rpc(b.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')

    const healing = Date.now()
    await runtime.heal()
    console.info(`heal p2p of 2 containers: ${Date.now() - healing} ms`)
    expect(runtime.partitioned()).toBeUndefined()
    expect(await reach(ca, aliasOf(devnet, 'b', 'p2p'))).toBe('ok')
    expect(await addressOf(cb, networkName(devnet, 'p2p'))).toBe(bP2pAddress) // same address back
    expect((await leftovers(devnet)).networks.sort()).toEqual([networkName(devnet, 'p2p'), networkName(devnet, 'rpc')])
    await runtime.heal() // idempotent
  })

  test('behavior: partition all cuts rpc too, the published ports keep answering', async () => {
    const runtime = newRuntime()
    const devnet = runtime.options.devnet
    const [cPort] = await allocatePorts(1)
    const c = await runtime.start(anvilPlan('c', cPort!))
    const a = await runtime.start(await p2pPlan('a'))
    await runtime.start(await p2pPlan('b'))
    await runtime.partition([['a', 'b'], ['c']], { links: 'all' })
    expect(await reach(`${devnet}-a`, `${devnet}-c`)).toBe('ENOTFOUND')
    expect(await reach(`${devnet}-a`, `${devnet}-b`)).toBe('ok') // the group that stays keeps its links
    expect(await reach(`${devnet}-a`, aliasOf(devnet, 'b', 'p2p'))).toBe('ok')
    expect(await rpc(c.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
    expect(await rpc(a.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
    await runtime.heal()
    expect(await reach(`${devnet}-a`, `${devnet}-c`)).toBe('ok')
    expect(await rpc(c.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  })

  test('error: partition names an unknown service', async () => {
    const [port] = await allocatePorts(1)
    const runtime = newRuntime()
    await runtime.start(anvilPlan('l1', port!))
    await expect(runtime.partition([['l1'], ['nope']])).rejects.toMatchObject({ code: 'DEVNET_USAGE' })
    await expect(runtime.partition([['l1'], ['l1']])).rejects.toMatchObject({ code: 'DEVNET_USAGE' })
  })

  test('behavior: link fault with 100% loss cuts the service off; clearing restores it', async () => {
    const runtime = newRuntime()
    const devnet = runtime.options.devnet
    const [cPort, aPort] = await allocatePorts(2)
    await runtime.start(anvilPlan('c', cPort!))
    await runtime.start(anvilPlan('a', aPort!))
    await runtime.setLinkFault('a', { lossPercent: 100 })
    expect(await reach(`${devnet}-a`, `${devnet}-c`)).not.toBe('ok')
    const a = runtime.services().find((s) => s.name === 'a')!
    await a.restart() // the fault lived in the old namespace: it is applied again
    expect(await reach(`${devnet}-a`, `${devnet}-c`)).not.toBe('ok')
    await runtime.setLinkFault('a', undefined)
    expect(await reach(`${devnet}-a`, `${devnet}-c`)).toBe('ok')
    // delay needs sch_netem: applied where the kernel has it, a clear error where it does not
    const delayed = await runtime.setLinkFault('a', { delayMs: 50 }).catch((e: unknown) => e)
    if (delayed instanceof Error) expect(delayed).toMatchObject({ code: 'DEVNET_RUNTIME_UNAVAILABLE' })
    else expect(delayed).toMatch(/netem delay 50ms/)
  })

  test('behavior: sweep removes what a dead orchestrator left, and only that', async () => {
    const orphaned = newRuntime({ ownerPid: deadPid(), sessionId: 'orphaned' })
    const [port, livePort] = await allocatePorts(2)
    await orphaned.start(anvilPlan('l1', port!))
    const live = newRuntime()
    await live.start(anvilPlan('l1', livePort!))
    const devnet = orphaned.options.devnet
    const removed = await sweep()
    expect(removed.containers).toContain(`${devnet}-l1`)
    expect(removed.networks).toEqual(expect.arrayContaining([networkName(devnet, 'rpc'), networkName(devnet, 'p2p')]))
    expect(removed.containers).not.toContain(`${live.options.devnet}-l1`)
    expect(await leftovers(devnet)).toEqual({ containers: [], networks: [] })
    expect((await leftovers(live.options.devnet)).containers).toHaveLength(1)
    runtimes.splice(runtimes.indexOf(orphaned), 1)
  })

  test('behavior: a new run of a devnet clears what an orphaned run of the same name left', async () => {
    const [port] = await allocatePorts(1)
    const orphaned = newRuntime({ ownerPid: deadPid(), sessionId: 'orphaned' })
    await orphaned.start(anvilPlan('l1', port!))
    runtimes.splice(runtimes.indexOf(orphaned), 1)
    const again = newRuntime({ devnet: orphaned.options.devnet })
    const l1 = await again.start(anvilPlan('l1', port!))
    expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  })

  test('error: a devnet name a live session uses is refused', async () => {
    const [port, other] = await allocatePorts(2)
    const first = newRuntime()
    await first.start(anvilPlan('l1', port!))
    const second = newRuntime({ devnet: first.options.devnet, sessionId: 'another' })
    await expect(second.start(anvilPlan('l1', other!))).rejects.toMatchObject({ code: 'DEVNET_ALREADY_RUNNING' })
  })
})

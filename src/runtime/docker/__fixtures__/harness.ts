/** The docker runtime suites' shared harness: a runtime per test, plans, probes from inside containers, cleanup. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { ServiceError } from '../../../errors.js'
import type { ServicePlan } from '../../../plan/types.js'
import { isProcessAlive } from '../../process/group.js'
import { allocatePorts } from '../../ports.js'
import { dockerAvailable, dockerClient, labels } from '../engine.js'
import { imageDefaults, imageExists } from '../image.js'
import { ensureLiteImage } from '../liteImage.js'
import { DockerRuntime, type DockerRuntimeOptions } from '../index.js'
import { aliasOf, networkName } from '../networks.js'
import { sweep } from '../sweep.js'

export const engine = await dockerAvailable()
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
export const docker = dockerClient()

let root: string
let image: string
export const runtimes: DockerRuntime[] = []

/** The suite's temporary directory (removed after it), for state directories of a test's own. */
export const stateRoot = (): string => root
const devnets = new Set<string>()
let devnetCount = 0
let prefix = 'odt'

export function newRuntime(options: Partial<DockerRuntimeOptions> = {}): DockerRuntime {
  const devnet = `${prefix}${process.pid}-${devnetCount++}`
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

export function anvilPlan(name: string, host: number, overrides: Partial<ServicePlan> = {}): ServicePlan {
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
    links: [],
    ...overrides,
  }
}

/** An anvil that also joins the p2p network (it has a `p2p` port; anvil itself only answers on 8545). */
export async function p2pPlan(name: string): Promise<ServicePlan> {
  const [rpc, p2p] = await allocatePorts(2)
  return anvilPlan(name, rpc!, {
    ports: {
      rpc: { port: 8545, host: rpc!, protocol: 'http', public: true },
      p2p: { port: 9222, host: p2p!, protocol: 'tcp', public: false },
    },
  })
}

export async function rpc(url: string, method: string, timeoutMs = 2_000): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return ((await response.json()) as { result: unknown }).result
}

export const connectScript = `
const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]), timeout: 1500 })
s.on('connect', () => { console.log('ok'); process.exit(0) })
s.on('timeout', () => { console.log('timeout'); process.exit(1) })
s.on('error', (e) => { console.log(e.code || e.message); process.exit(1) })`

/** One eth_chainId to argv[1] from inside a container: `<result> <ms>`, or the error code. */
export const timedCallScript = `
const t0 = Date.now()
const req = require('node:http').request(process.argv[1], { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
  let body = ''
  res.on('data', (d) => (body += d))
  res.on('end', () => console.log(JSON.parse(body).result + ' ' + (Date.now() - t0)))
})
req.on('error', (e) => console.log(e.code || e.message))
req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }))`

/** TCP connect from inside `container` (`docker exec node -e`): `ok`, `timeout`, `ENOTFOUND`, ... */
export async function reach(container: string, host: string, port = 8545): Promise<string> {
  return execIn(container, ['node', '-e', connectScript, host, String(port)])
}

/** Runs a command in a container (`docker exec`), returns its output. */
export async function execIn(container: string, cmd: string[]): Promise<string> {
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
export async function lookup(container: string, name: string): Promise<string[]> {
  const script = `require('node:dns').lookup(process.argv[1], { all: true }, (e, a) => console.log(JSON.stringify(e ? [] : a.map((x) => x.address))))`
  return JSON.parse(await execIn(container, ['node', '-e', script, name])) as string[]
}

export async function addressOf(container: string, network: string): Promise<string> {
  return (await docker.getContainer(container).inspect()).NetworkSettings.Networks[network]!.IPAddress
}

/** Names of containers / networks labelled with this devnet (`docker ps -a --filter label=...`). */
export async function leftovers(devnet: string): Promise<{ containers: string[]; networks: string[] }> {
  const filters = { label: [`${labels.devnet}=${devnet}`] }
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => c.Names[0] ?? c.Id)
  const networks = (await docker.listNetworks({ filters })).map((n) => n.Name)
  return { containers, networks }
}

export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
  const pid = Number(child.stdout.trim())
  if (isProcessAlive(pid)) throw new Error('pid still alive')
  return pid
}

/** Registers the suite's hooks (image, cleanup); call inside the suite. `name` keeps devnet names apart between files. */
export function useDockerSuite(name: string): void {
  prefix = name
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
}

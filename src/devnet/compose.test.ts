import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type RequestListener } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, describe, expect, test } from 'vitest'
import { requires } from '../../test/requires.js'
import { writeCompose } from './compose.js'
import { containerSpec } from '../runtime/docker/container.js'
import { isOrphan } from '../runtime/docker/sweep.js'
import { defaultTopology } from '../topology/index.js'
import { composeFile, composeYaml, healthcheckTest } from '../runtime/docker/compose.js'
import { planDevnet } from '../plan/plan.js'
import { resolveLinks } from '../plan/links.js'
import type { PortMap } from '../plan/ports.js'
import type { ServicePlan } from '../plan/types.js'

const genesisTime = 1_700_000_000
const image = 'op-devnet-lite:0123456789ab'
const topology = defaultTopology()
topology.name = 'demo'
topology.l2.nodes.push({ ...topology.l2.nodes.find((n) => n.role === 'replica')!, name: 'replica-1', standby: true })
// host ports unlike the container ports, so a swap would show
const hostPorts: PortMap = {
  l1: { rpc: 40001 },
  l1Clock: { rpc: 40014 },
  nodes: Object.fromEntries(topology.l2.nodes.map((node, i) => [node.name, { el: 41000 + i, rollup: 42000 + i, p2p: 43000 + i }])),
  batcher: { rpc: 40008 },
  proposer: { rpc: 40011, metrics: 40013 },
  proxyd: { rpc: 40009, ws: 40012, metrics: 40010 }, bootnode: { p2p: 30401, rpc: 7640 },
  challenger: { metrics: 40011 },
}
const plan = planDevnet(topology, { runtime: 'docker', ports: hostPorts, genesisTime, holdL1: false })
const file = composeFile(plan, { image, filesDir: 'devnet', user: '1000:1000' })

const tmp = mkdtempSync(join(tmpdir(), 'op-devnet-compose-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('composeFile', () => {
  test('one service per plan service, in plan order', () => {
    expect(Object.keys(file.services)).toEqual(plan.services.map((s) => s.name))
    expect(file.name).toBe('demo')
    expect(file).not.toHaveProperty('version')
  })

  test.each(plan.services.map((s) => [s.name, s] as const))('%s: the container the docker runtime creates', (name, service) => {
    const s = file.services[name]!
    const launcher = service.program === 'anvil' ? ['anvil'] : ['node', '/app/dist/components/main.js']
    expect([...s.entrypoint, ...s.command]).toEqual([...launcher, ...service.args])
    // What DockerService passes to the engine, links resolved to their targets (no link proxies).
    const spec = containerSpec(resolveLinks(service, (link) => link.target), plan.name)
    expect({ entrypoint: s.entrypoint, command: s.command, working_dir: s.working_dir }).toEqual({ entrypoint: spec.entrypoint, command: spec.command, working_dir: spec.workingDir })
    expect(s).toMatchObject({
      container_name: `demo-${name}`,
      image,
      working_dir: `/devnet/${name}`,
      volumes: [`./devnet/${name}:/devnet/${name}`],
      environment: resolveLinks(service, (link) => link.target).env,
      user: '1000:1000',
      init: true,
    })
    expect(s.ports).toEqual(Object.values(service.ports).map((p) => `127.0.0.1:${p.host}:${p.port}${p.protocol === 'udp' ? '/udp' : ''}`))
    expect(s.sysctls).toEqual({ 'net.ipv4.ip_local_reserved_ports': [...new Set(Object.values(service.ports).map((p) => p.port))].sort((x, y) => x - y).join(',') })
    expect(s.networks.rpc!.aliases).toEqual([`demo-${name}`])
    if ('p2p' in service.ports) {
      expect(s.networks.p2p!.aliases).toEqual([`demo-${name}-p2p`])
      expect(s.networks.rpc!.priority).toBeGreaterThan(s.networks.p2p!.priority ?? 0) // joined first, as the runtime does
    } else {
      expect(Object.keys(s.networks)).toEqual(['rpc'])
    }
    expect(s.depends_on ?? {}).toEqual(Object.fromEntries(service.dependsOn.map((d) => [d, { condition: 'service_healthy' }])))
    const port = service.ports[service.readiness.port]!.port
    expect(s.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', '-e'])
    const { readiness } = service
    expect(s.healthcheck.test[3]).toContain(readiness.kind === 'rpc' ? `'http://127.0.0.1:${port}'` : readiness.kind === 'http' ? `'http://127.0.0.1:${port}${readiness.path}'` : `connect(${port},'127.0.0.1')`)
    if (service.readiness.kind === 'rpc') expect(s.healthcheck.test[3]).toContain(service.readiness.method)
    expect(s.labels).toMatchObject({ 'op-devnet.devnet': 'demo', 'op-devnet.service': name, 'op-devnet.kind': 'service' })
    // `devnet sweep --name demo` selects it (session label present); a plain `devnet sweep` leaves it alone
    expect(s.labels['op-devnet.session']).toBeDefined()
    expect(isOrphan(s.labels)).toBe(false)
  })

  test('networks: the runtime names, p2p internal, labelled for sweep', () => {
    expect(file.networks.rpc).toMatchObject({ name: 'demo-rpc', driver: 'bridge', labels: { 'op-devnet.devnet': 'demo', 'op-devnet.link': 'rpc' } })
    expect(file.networks.rpc).not.toHaveProperty('internal')
    expect(file.networks.p2p).toMatchObject({ name: 'demo-p2p', internal: true, labels: { 'op-devnet.devnet': 'demo', 'op-devnet.link': 'p2p' } })
    expect(isOrphan(file.networks.p2p!.labels)).toBe(false)
  })

  test('escapes $ (compose interpolation), keeps absolute and ./ files dirs', () => {
    const l1 = plan.services[0]!
    const odd: ServicePlan = { ...l1, args: [...l1.args, 'a$b'], env: { X: '$HOME' } }
    const s = composeFile({ name: 'demo', services: [odd] }, { image, filesDir: '/abs/files/' }).services.l1!
    expect(s.command.at(-1)).toBe('a$$b')
    expect(s.environment).toEqual({ X: '$$HOME' })
    expect(s.volumes).toEqual(['/abs/files/l1:/devnet/l1'])
    expect(composeFile({ name: 'demo', services: [l1] }, { image, filesDir: '../x' }).services.l1!.volumes).toEqual(['../x/l1:/devnet/l1'])
  })

  test('yaml: snapshot, and the same data under YAML 1.2 and 1.1 parsers', () => {
    const text = composeYaml(plan, { image, filesDir: 'devnet', user: '1000:1000', header: 'generated' })
    expect(text.startsWith('# generated\n')).toBe(true)
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(file)))
    expect(parse(text, { version: '1.1' })).toEqual(JSON.parse(JSON.stringify(file)))
    const rootish = composeYaml(plan, { image, filesDir: 'devnet', user: '0:0' })
    expect(rootish).toContain('user: "0:0"') // a 1.1 parser reads bare 0:0 as a base-60 int
    expect(text).toMatchSnapshot()
  })
})

/** Exit code of `node -e <script>` (the healthcheck without Docker). */
function runCheck(service: ServicePlan): Promise<number> {
  const [, node, flag, script] = healthcheckTest(service)
  expect([node, flag]).toEqual(['node', '-e'])
  return new Promise((resolve) => execFile(process.execPath, ['-e', script!], { timeout: 10_000 }, (error) => resolve(error ? ((error.code as number) ?? -1) : 0)))
}

async function listening(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

async function closedPort(): Promise<number> {
  const server = createTcpServer()
  const port = await listening(server)
  await new Promise((resolve) => server.close(resolve))
  return port
}

function withPort(service: ServicePlan, port: number): ServicePlan {
  const name = service.readiness.port
  return { ...service, ports: { ...service.ports, [name]: { ...service.ports[name]!, port } } }
}

describe('healthcheck scripts', () => {
  const l1 = plan.services.find((s) => s.name === 'l1')!
  const batcher = plan.services.find((s) => s.name === 'batcher')!

  const rpcServer = async (handler: RequestListener) => {
    const bodies: string[] = []
    const server = createHttpServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        bodies.push(body)
        handler(req, res)
      })
    })
    const port = await listening(server)
    return { port, bodies, close: () => new Promise((resolve) => server.close(resolve)) }
  }

  test('rpc: 0 on a result, 1 on an error, an HTTP error or nothing listening', async () => {
    expect(l1.readiness.kind).toBe('rpc')
    const ok = await rpcServer((_, res) => res.end('{"jsonrpc":"2.0","id":1,"result":"0x384"}'))
    expect(await runCheck(withPort(l1, ok.port))).toBe(0)
    expect(JSON.parse(ok.bodies[0]!)).toEqual({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })
    await ok.close()
    const failing = await rpcServer((_, res) => res.end('{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"not ready"}}'))
    expect(await runCheck(withPort(l1, failing.port))).toBe(1)
    await failing.close()
    const http500 = await rpcServer((_, res) => ((res.statusCode = 500), res.end('{"result":1}')))
    expect(await runCheck(withPort(l1, http500.port))).toBe(1)
    await http500.close()
    expect(await runCheck(withPort(l1, await closedPort()))).toBe(1)
  })

  test('port: 0 once a connection opens, 1 when refused', async () => {
    const byPort: ServicePlan = { ...batcher, readiness: { kind: 'port', port: 'rpc' } }
    const server = createTcpServer((socket) => socket.destroy())
    const port = await listening(server)
    expect(await runCheck(withPort(byPort, port))).toBe(0)
    await new Promise((resolve) => server.close(resolve))
    expect(await runCheck(withPort(byPort, await closedPort()))).toBe(1)
  })

  test('http: 0 on a 2xx answer to GET <path>, 1 on another status or nothing listening', async () => {
    expect(batcher.readiness).toEqual({ kind: 'http', port: 'rpc', path: '/healthz' })
    const paths: string[] = []
    const ok = await rpcServer((req, res) => (paths.push(`${req.method} ${req.url}`), res.end('OK')))
    expect(await runCheck(withPort(batcher, ok.port))).toBe(0)
    expect(paths).toEqual(['GET /healthz'])
    await ok.close()
    const unavailable = await rpcServer((_, res) => ((res.statusCode = 503), res.end('starting')))
    expect(await runCheck(withPort(batcher, unavailable.port))).toBe(1)
    await unavailable.close()
    expect(await runCheck(withPort(batcher, await closedPort()))).toBe(1)
  })
})

describe('writeCompose', () => {
  test('writes every service file next to the compose file, where the volumes point', () => {
    const outFile = join(tmp, 'compose', 'devnet.yaml')
    const written = writeCompose(plan, { image, outFile })
    expect(written).toEqual({ file: outFile, filesDir: join(tmp, 'compose', 'devnet'), files: plan.services.reduce((n, s) => n + Object.keys(s.files).length, 0) })
    const parsed = parse(readFileSync(outFile, 'utf8')) as ReturnType<typeof composeFile>
    for (const service of plan.services) {
      expect(parsed.services[service.name]!.volumes).toEqual([`./devnet/${service.name}:/devnet/${service.name}`])
      // links resolve to their targets: the containers dial each other by name
      const files = resolveLinks(service, (link) => link.target).files
      for (const [path, content] of Object.entries(files)) expect(readFileSync(join(written.filesDir, service.name, path), 'utf8')).toBe(content)
    }
  })

  test('a file without extension gets a <name>-files directory', () => {
    const written = writeCompose(plan, { image, outFile: join(tmp, 'plain', 'stack') })
    expect(written.filesDir).toBe(join(tmp, 'plain', 'stack-files'))
    expect(readFileSync(written.file, 'utf8')).toContain('./stack-files/l1:/devnet/l1')
  })
})

/**
 * The compose CLI that reads the file: compose v2 (`docker compose`) where installed, else Debian's
 * `docker-compose` 1.29 (what `.ci/run` installs; Debian has no v2 plugin). v1 predates the top-level
 * `name`, so it reads a copy without it and gets the project name from `-p`.
 */
function composeConfig(file: string, project: string): { status: number | null; stderr: string; config?: ComposeConfig } {
  const v2 = spawnSync('docker', ['compose', '-f', file, 'config', '--format', 'json'], { encoding: 'utf8', timeout: 30_000 })
  if (v2.status === 0 || !composeV1) return { status: v2.status, stderr: v2.stderr, config: v2.status === 0 ? JSON.parse(v2.stdout) : undefined }
  const v1File = `${file}.v1.yaml`
  writeFileSync(v1File, readFileSync(file, 'utf8').replace(/^name: .*\n/m, ''))
  const v1 = spawnSync('docker-compose', ['-p', project, '-f', v1File, 'config'], { encoding: 'utf8', timeout: 30_000 })
  return { status: v1.status, stderr: v1.stderr, config: v1.status === 0 ? parse(v1.stdout) : undefined }
}

interface ComposeConfig {
  services: Record<string, { command: string[]; entrypoint: string[]; container_name: string; healthcheck: { test: string[] }; ports: Array<string | { host_ip: string; published: string; target: number }> }>
}

const composeV2 = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 10_000 }).status === 0
const composeV1 = spawnSync('docker-compose', ['version'], { stdio: 'ignore', timeout: 10_000 }).status === 0
requires('a compose CLI', composeV2 || composeV1, 'apt-get install -y docker-compose')('docker compose config', () => {
  test('accepts the file and reads back the same services', () => {
    const outFile = join(tmp, 'cli', 'devnet.yaml')
    writeCompose(plan, { image, outFile, user: '1000:1000' })
    const { status, stderr, config } = composeConfig(outFile, 'demo')
    expect(stderr).not.toMatch(/error/i)
    expect(status).toBe(0)
    for (const service of plan.services) {
      const s = config!.services[service.name]!
      expect(s.container_name).toBe(`demo-${service.name}`)
      expect(s.command).toEqual(service.args)
      expect(s.healthcheck.test).toEqual(healthcheckTest(service))
      const ports = s.ports.map((p) => (typeof p === 'string' ? p.replace(/\/tcp$/, '') : `${p.host_ip}:${p.published}:${p.target}`))
      expect(ports.sort()).toEqual(Object.values(service.ports).map((p) => `127.0.0.1:${p.host}:${p.port}${p.protocol === 'udp' ? '/udp' : ''}`).sort())
    }
  })
})

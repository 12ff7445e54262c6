import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { getPriority, tmpdir } from 'node:os'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { ServiceError } from '../../errors.js'
import type { ServicePlan } from '../../plan/types.js'
import { freePort } from '../ports.js'
import { isProcessAlive, ProcessRuntime, type ProcessRuntimeOptions, stopRecorded } from './index.js'

/**
 * A stand-in for `dist/components/main.js`: `<mode> <port>`; modes `serve`, `grandchild`, `owner`, `exit`,
 * `silent`. `owner` writes `term` on SIGTERM and stops its child itself 200 ms later (as a rollup node
 * snapshots its engine first); the child writes `child-term` if a SIGTERM reaches it directly.
 */
const liteSource = `
import http from 'node:http'
import { spawn } from 'node:child_process'
import { closeSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
const [mode, port] = process.argv.slice(2)
console.log('lite ' + mode + ' starting on ' + port)
writeFileSync('self.pid', String(process.pid))
if (mode === 'exit') { console.error('boom: bad config'); process.exit(3) }
if (mode === 'grandchild') {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  writeFileSync('grandchild.pid', String(child.pid))
}
if (mode === 'owner') {
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => { require('fs').writeFileSync('child-term', ''); process.exit(0) }); setInterval(() => {}, 1000)"], { stdio: 'ignore' })
  writeFileSync('grandchild.pid', String(child.pid))
  process.on('SIGTERM', () => { writeFileSync('term', ''); setTimeout(() => { child.kill('SIGKILL'); process.exit(0) }, 200) })
}
if (mode === 'silent') setInterval(() => {}, 1000)
else http.createServer((req, res) => {
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => {
    const { id, method } = JSON.parse(body)
    const result = method === 'test_env' ? process.env.LITE_GREETING
      : method === 'test_code_cache' ? process.env.DEVNET_CODE_CACHE ?? null
      : method === 'test_extra_ca' ? process.env.NODE_EXTRA_CA_CERTS ?? null
      : method === 'test_path' ? process.env.PATH ?? null
      : method === 'test_file' ? readFileSync('conf/config.json', 'utf8')
      : method === 'test_cwd' ? process.cwd() : 'pong'
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ jsonrpc: '2.0', id, result }))
  })
}).listen(Number(port), '127.0.0.1', () => {
  console.log('listening')
  // as the launcher does: say so on DEVNET_READY_FD
  if (process.env.DEVNET_READY_FD) { writeSync(Number(process.env.DEVNET_READY_FD), 'ready\\n'); closeSync(Number(process.env.DEVNET_READY_FD)) }
})
`

let root: string
let liteEntrypoint: string
const runtimes: ProcessRuntime[] = []

beforeAll(() => {
  // The link proxy program is the real one, from dist/ (run `npm run build` first).
  root = mkdtempSync(join(tmpdir(), 'op-devnet-process-'))
  liteEntrypoint = join(root, 'lite.mjs')
  writeFileSync(liteEntrypoint, liteSource)
})
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.stopAll()))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

let dirs = 0
function newRuntime(options: Partial<ProcessRuntimeOptions> = {}): ProcessRuntime {
  const runtime = new ProcessRuntime({ stateDir: join(root, `devnet-${dirs++}`), liteEntrypoint, stopGraceMs: 1_000, ...options })
  runtimes.push(runtime)
  return runtime
}

function plan(name: string, port: number, overrides: Partial<ServicePlan> = {}): ServicePlan {
  return {
    name,
    role: 'l1',
    program: 'anvil',
    args: ['--host', '127.0.0.1', '--port', String(port)],
    env: {},
    ports: { rpc: { port, host: port, protocol: 'http', public: true } },
    files: {},
    readiness: { kind: 'rpc', port: 'rpc', method: 'eth_chainId' },
    dependsOn: [],
    links: [],
    ...overrides,
  }
}

function litePlan(name: string, port: number, mode: string, overrides: Partial<ServicePlan> = {}): ServicePlan {
  return plan(name, port, { role: 'sequencer', program: 'lite', args: [mode, String(port)], ...overrides })
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

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(20)
  }
}

test('default', async () => {
  const port = await freePort()
  const runtime = newRuntime()
  const l1 = await runtime.start(plan('l1', port))
  expect(l1.state()).toBe('running')
  expect(l1.endpoint('rpc')).toBe(`http://127.0.0.1:${port}`)
  expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  expect(isProcessAlive(Number(l1.id))).toBe(true)
  expect(readFileSync(join(runtime.options.stateDir, 'l1', 'pid'), 'utf8').trim()).toBe(l1.id)
})

test('behavior: a plan\'s nice lowers the service\'s priority, its process\'s and (with autogroups) its session\'s; without one it keeps ours', async () => {
  const [a, b] = [await freePort(), await freePort()]
  const runtime = newRuntime()
  const follower = await runtime.start(plan('follower', a, { nice: 7 }))
  const other = await runtime.start(plan('other', b))
  expect(getPriority(Number(follower.id))).toBe(7)
  expect(getPriority(Number(other.id))).toBe(getPriority())
  // Each service leads its own session; with autogroups the scheduler weighs sessions by this nice.
  const autogroup = (pid: string) => readFileSync(`/proc/${pid}/autogroup`, 'utf8')
  if (existsSync(`/proc/${follower.id}/autogroup`)) {
    expect(autogroup(follower.id)).toMatch(/ nice 7\n$/)
    expect(autogroup(other.id)).not.toMatch(/ nice 7\n$/)
  }
})

test('behavior: captures logs in the ring buffer and service.log', async () => {
  const port = await freePort()
  const l1 = await newRuntime().start(plan('l1', port))
  expect(l1.logs().join('\n')).toContain(`Listening on 127.0.0.1:${port}`)
  expect(l1.logs(1)).toHaveLength(1)
  expect(readFileSync(l1.logFile, 'utf8')).toContain(`Listening on 127.0.0.1:${port}`)
})

test('behavior: lite runs the entrypoint with args, env and files, in the service directory', async () => {
  const port = await freePort()
  const runtime = newRuntime()
  const seq = await runtime.start(litePlan('sequencer', port, 'serve', {
    env: { LITE_GREETING: 'hello' },
    files: { 'conf/config.json': '{"a":1}' },
    readiness: { kind: 'port', port: 'rpc' },
  }))
  const url = seq.endpoint('rpc')
  expect(await rpc(url, 'test_env')).toBe('hello')
  expect(await rpc(url, 'test_file')).toBe('{"a":1}')
  expect(await rpc(url, 'test_cwd')).toBe(join(runtime.options.stateDir, 'sequencer'))
})

test('behavior: lite programs get the code cache directory, when the runtime has one', async () => {
  const [with_, without] = [newRuntime({ codeCacheDir: join(root, 'code') }), newRuntime()]
  const a = await with_.start(litePlan('sequencer', await freePort(), 'serve', { readiness: { kind: 'port', port: 'rpc' } }))
  const b = await without.start(litePlan('sequencer', await freePort(), 'serve', { readiness: { kind: 'port', port: 'rpc' } }))
  expect(await rpc(a.endpoint('rpc'), 'test_code_cache')).toBe(join(root, 'code'))
  expect(await rpc(b.endpoint('rpc'), 'test_code_cache')).toBeNull()
})

test('behavior: lite programs start without the CLI\'s NODE_EXTRA_CA_CERTS (parsed at every Node start; they speak no TLS), and keep the rest of its environment', async () => {
  const before = process.env.NODE_EXTRA_CA_CERTS
  process.env.NODE_EXTRA_CA_CERTS = join(root, 'no-such-bundle.pem')
  try {
    const seq = await newRuntime().start(litePlan('sequencer', await freePort(), 'serve', { readiness: { kind: 'port', port: 'rpc' } }))
    expect(await rpc(seq.endpoint('rpc'), 'test_extra_ca')).toBeNull()
    expect(await rpc(seq.endpoint('rpc'), 'test_path')).toBe(process.env.PATH)
  } finally {
    if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS
    else process.env.NODE_EXTRA_CA_CERTS = before
  }
})

test('behavior: pause makes calls hang, resume brings them back', async () => {
  const l1 = await newRuntime().start(plan('l1', await freePort()))
  await l1.pause()
  expect(l1.state()).toBe('paused')
  // Stopped in the kernel's eyes (T): if the call below were answered all the same, another process holds the port.
  await until(() => readFileSync(`/proc/${l1.id}/stat`, 'utf8').split(') ')[1]![0] === 'T')
  await expect(rpc(l1.endpoint('rpc'), 'eth_chainId', 300)).rejects.toThrow()
  await l1.resume()
  expect(l1.state()).toBe('running')
  expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
})

test('behavior: kill(SIGKILL) leaves the service exited and its pid gone', async () => {
  const l1 = await newRuntime().start(plan('l1', await freePort()))
  await l1.kill()
  expect(l1.state()).toBe('exited')
  expect(isProcessAlive(Number(l1.id))).toBe(false)
  await l1.stop() // no-op on an exited service
})

test('behavior: a service that dies on its own is exited, without crashing the runtime', async () => {
  const l1 = await newRuntime().start(plan('l1', await freePort()))
  process.kill(Number(l1.id), 'SIGKILL')
  await until(() => l1.state() === 'exited')
  await expect(l1.pause()).rejects.toThrow(ServiceError)
})

test('behavior: restart answers again on the same port', async () => {
  const l1 = await newRuntime().start(plan('l1', await freePort()))
  const before = l1.id
  await l1.restart()
  expect(l1.state()).toBe('running')
  expect(l1.id).not.toBe(before)
  expect(isProcessAlive(Number(before))).toBe(false)
  expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
  await l1.kill()
  await l1.restart() // from exited
  expect(await rpc(l1.endpoint('rpc'), 'eth_chainId')).toBe('0x7a69')
})

test('behavior: stop is idempotent and returns the in-flight promise', async () => {
  const l1 = await newRuntime().start(plan('l1', await freePort()))
  const first = l1.stop()
  expect(l1.stop()).toBe(first)
  await first
  expect(l1.state()).toBe('stopped')
  expect(isProcessAlive(Number(l1.id))).toBe(false)
})

test('behavior: stop reaches the whole process group, even when paused', async () => {
  const port = await freePort()
  const runtime = newRuntime()
  const seq = await runtime.start(litePlan('sequencer', port, 'grandchild'))
  const grandchild = Number(readFileSync(join(runtime.options.stateDir, 'sequencer', 'grandchild.pid'), 'utf8'))
  expect(isProcessAlive(grandchild)).toBe(true)
  await seq.pause()
  await seq.stop()
  expect(seq.state()).toBe('stopped')
  expect(isProcessAlive(grandchild)).toBe(false)
})

test('behavior: SIGTERM goes to the program alone, which stops its own children (stop and stopRecorded)', async () => {
  const runtime = newRuntime({ keepAliveOnExit: true })
  const dir = (name: string) => join(runtime.options.stateDir, name)
  const [a, b] = [await runtime.start(litePlan('a', await freePort(), 'owner')), await runtime.start(litePlan('b', await freePort(), 'owner'))]
  const children = ['a', 'b'].map((name) => Number(readFileSync(join(dir(name), 'grandchild.pid'), 'utf8')))
  await a.stop()
  expect(await stopRecorded(runtime.options.stateDir, ['b'])).toEqual(['b'])
  for (const name of ['a', 'b']) {
    expect(existsSync(join(dir(name), 'term')), name).toBe(true)
    expect(existsSync(join(dir(name), 'child-term')), name).toBe(false)
  }
  for (const pid of [...children, Number(a.id), Number(b.id)]) expect(isProcessAlive(pid)).toBe(false)
})

test('behavior: stopRecorded with discard (devnet down) kills every group at once, no graceful stop', async () => {
  const runtime = newRuntime({ keepAliveOnExit: true })
  const services = [await runtime.start(litePlan('a', await freePort(), 'owner')), await runtime.start(litePlan('b', await freePort(), 'owner'))]
  const children = ['a', 'b'].map((name) => Number(readFileSync(join(runtime.options.stateDir, name, 'grandchild.pid'), 'utf8')))
  expect(await stopRecorded(runtime.options.stateDir, ['a', 'b', 'missing'], { discard: true })).toEqual(['a', 'b'])
  for (const name of ['a', 'b']) {
    expect(existsSync(join(runtime.options.stateDir, name, 'term')), name).toBe(false)
    expect(existsSync(join(runtime.options.stateDir, name, 'pid')), name).toBe(false)
  }
  for (const pid of [...children, ...services.map((s) => Number(s.id))]) expect(isProcessAlive(pid)).toBe(false)
})

test('behavior: stopAll leaves no process', async () => {
  const runtime = newRuntime()
  const a = await runtime.start(plan('l1', await freePort()))
  const b = await runtime.start(plan('l1-b', await freePort()))
  await b.pause()
  await runtime.stopAll()
  for (const service of [a, b]) {
    expect(() => process.kill(Number(service.id), 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }))
    expect(service.state()).toBe('stopped')
  }
})

test('behavior: stopRecorded stops a group started by another runtime instance', async () => {
  const other = newRuntime({ keepAliveOnExit: true })
  const l1 = await other.start(plan('l1', await freePort()))
  expect(await stopRecorded(other.options.stateDir, ['l1', 'missing'])).toEqual(['l1'])
  expect(isProcessAlive(Number(l1.id))).toBe(false)
  expect(existsSync(join(other.options.stateDir, 'l1', 'pid'))).toBe(false)
  await until(() => l1.state() === 'exited')
})

test('behavior: services die with the process that started them, unless keepAliveOnExit', async () => {
  const runtimeUrl = pathToFileURL(fileURLToPath(new URL('./index.ts', import.meta.url))).href
  const script = join(root, 'starter.mts')
  writeFileSync(script, `
    import { ProcessRuntime } from ${JSON.stringify(runtimeUrl)}
    const [stateDir, liteEntrypoint, port, keep] = process.argv.slice(2)
    const runtime = new ProcessRuntime({ stateDir, liteEntrypoint, keepAliveOnExit: keep === '1' })
    const service = await runtime.start({ name: 'seq', role: 'sequencer', program: 'lite', args: ['serve', port], env: {},
      ports: { rpc: { port: Number(port), host: Number(port), protocol: 'http', public: true } }, files: {},
      readiness: { kind: 'port', port: 'rpc' }, dependsOn: [], links: [] })
    console.log(service.id)
    process.exit(0)
  `)
  const run = async (keep: boolean) => {
    const stateDir = join(root, `starter-${keep}`)
    const args = ['--import', 'tsx', script, stateDir, liteEntrypoint, String(await freePort()), keep ? '1' : '0']
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: process.cwd() })
    return { pid: Number(stdout.trim()), stateDir }
  }
  const reaped = await run(false)
  await until(() => !isProcessAlive(reaped.pid))
  const kept = await run(true)
  expect(isProcessAlive(kept.pid)).toBe(true)
  expect(await stopRecorded(kept.stateDir, ['seq'])).toEqual(['seq'])
  expect(isProcessAlive(kept.pid)).toBe(false)
})

test('error: a program that exits before ready', async () => {
  const error = await newRuntime().start(plan('l1', await freePort(), { args: ['--no-such-flag'] })).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ServiceError)
  const serviceError = error as ServiceError
  expect(serviceError.service).toBe('l1')
  expect(serviceError.code).toBe('DEVNET_SERVICE_FAILED')
  expect(serviceError.shortMessage).toMatch(/^service "l1": exited with code \d+ before it was ready$/)
  expect(serviceError.message).toContain('--no-such-flag')
})

test('error: a lite program that exits before ready leaves nothing running', async () => {
  const runtime = newRuntime()
  const error = await runtime.start(litePlan('batcher', await freePort(), 'exit')).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ServiceError)
  expect((error as ServiceError).message).toContain('exited with code 3')
  expect((error as ServiceError).metaMessages).toContain('  boom: bad config')
  const pid = Number(readFileSync(join(runtime.options.stateDir, 'batcher', 'self.pid'), 'utf8'))
  expect(isProcessAlive(pid)).toBe(false)
})

test('error: readiness timeout kills the service', async () => {
  const runtime = newRuntime()
  const started = Date.now()
  // 2 s: the stand-in's first line (in the error's log tail) once took more than 500 ms on a loaded machine.
  const error = await runtime.start(litePlan('proposer', await freePort(), 'silent'), { readyTimeoutMs: 1_800, readyAllowanceMs: 200 }).catch((e: unknown) => e)
  expect(Date.now() - started).toBeLessThan(6_000)
  expect(error).toBeInstanceOf(ServiceError)
  expect((error as ServiceError).code).toBe('DEVNET_SERVICE_TIMEOUT')
  expect((error as ServiceError).message).toContain('not ready after 2000 ms') // the timeout plus the allowance
  expect((error as ServiceError).message).toContain('lite silent starting')
  const pid = Number(readFileSync(join(runtime.options.stateDir, 'proposer', 'self.pid'), 'utf8'))
  expect(isProcessAlive(pid)).toBe(false)
})

test('error: unknown port and double start', async () => {
  const port = await freePort()
  const runtime = newRuntime()
  const l1 = await runtime.start(plan('l1', port))
  expect(() => l1.endpoint('ws')).toThrow('service "l1" has no port "ws" (has: rpc)')
  await expect(runtime.start(plan('l1', port))).rejects.toThrow(`service "l1": already running (pid ${l1.id})`)
})

test('error: a port another program already listens on is refused before spawning (its answers would pass readiness)', async () => {
  const port = await freePort()
  const squatter = createServer((socket) => socket.destroy())
  await new Promise<void>((done) => squatter.listen(port, '127.0.0.1', done))
  try {
    const runtime = newRuntime()
    await expect(runtime.start(plan('l1', port))).rejects.toThrow(`service "l1": port ${port} (rpc) is already in use on 127.0.0.1: another program holds it`)
    expect(existsSync(join(runtime.options.stateDir, 'l1', 'pid'))).toBe(false)
  } finally {
    squatter.close()
  }
  // Once the port is free the same plan starts.
  expect((await newRuntime().start(plan('l1', port))).state()).toBe('running')
})

test('behavior: stopRecorded ignores a stale pid file', async () => {
  const stateDir = join(root, 'stale')
  mkdirSync(join(stateDir, 'l1'), { recursive: true })
  writeFileSync(join(stateDir, 'l1', 'pid'), `${process.pid}\n`) // alive, but not running in l1/
  expect(await stopRecorded(stateDir, ['l1'])).toEqual([])
  expect(existsSync(join(stateDir, 'l1', 'pid'))).toBe(false)
})

test('behavior: links go through the link proxy process, which partitions, heals and shapes them', async () => {
  const [l1Port, xPort] = [await freePort(), await freePort()]
  const runtime = newRuntime({ seed: 42 })
  await runtime.start(plan('l1', l1Port))
  const x = await runtime.start(litePlan('x', xPort, 'serve', {
    env: { LITE_GREETING: 'http://{{link:l1:rpc}}' },
    links: [{ to: 'l1', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port: l1Port } }],
  }))
  const viaProxy = String(await rpc(x.endpoint('rpc'), 'test_env'))
  const [link] = await runtime.links.list()
  expect(link).toMatchObject({ id: 'x>l1:rpc', cut: false, target: { port: l1Port } })
  expect(viaProxy).toBe(`http://127.0.0.1:${link!.listenPort}`)
  expect(await rpc(viaProxy, 'eth_chainId')).toBe('0x7a69')
  const linksDir = join(runtime.options.stateDir, '_links')
  const linksPid = Number(readFileSync(join(linksDir, 'pid'), 'utf8'))
  expect(isProcessAlive(linksPid)).toBe(true)

  // another runtime on the same state directory (a later CLI call) attaches to the same proxies
  const later = new ProcessRuntime({ stateDir: runtime.options.stateDir, liteEntrypoint })
  await later.partition([['x'], ['l1']], { links: 'all' })
  await expect(rpc(viaProxy, 'eth_chainId')).rejects.toThrow()
  expect(await rpc(`http://127.0.0.1:${l1Port}`, 'eth_chainId')).toBe('0x7a69') // the host still reaches l1
  await runtime.heal()
  expect(await rpc(viaProxy, 'eth_chainId')).toBe('0x7a69')

  expect(await runtime.setLinkFault('x', { delayMs: 100 })).toEqual({ via: 'proxy', detail: '{"delayMs":100} on 1 link(s): x>l1:rpc' })
  const t0 = performance.now()
  await rpc(viaProxy, 'eth_chainId')
  expect(performance.now() - t0).toBeGreaterThanOrEqual(100)
  await later.setLinkFault('x', undefined)

  // a restarted service keeps its link (same proxy port)
  await x.restart()
  expect(await rpc(x.endpoint('rpc'), 'test_env')).toBe(viaProxy)
  await runtime.stopAll()
  expect(isProcessAlive(linksPid)).toBe(false)
  expect(existsSync(join(linksDir, 'pid'))).toBe(false)
})

test('behavior: a service started beside the starting link proxy takes ports chosen by the runtime; one started later, the proxy\'s', async () => {
  const [l1Port, xPort, yPort] = [await freePort(), await freePort(), await freePort()]
  const runtime = newRuntime()
  const link = { to: 'l1', port: 'rpc', class: 'rpc' as const, target: { host: '127.0.0.1', port: l1Port } }
  const l1 = runtime.start(plan('l1', l1Port))
  void runtime.links.admin() // as a devnet's start does: the proxy starts beside L1
  const x = await runtime.start(litePlan('x', xPort, 'serve', { env: { LITE_GREETING: 'http://{{link:l1:rpc}}' }, links: [link] }))
  await l1
  // Ready means registered: the chosen port is the proxy's listening one, at once.
  const viaX = String(await rpc(x.endpoint('rpc'), 'test_env'))
  expect(await runtime.links.list()).toEqual([expect.objectContaining({ id: 'x>l1:rpc', listenPort: Number(new URL(viaX).port) })])
  expect(await rpc(viaX, 'eth_chainId')).toBe('0x7a69')
  const y = await runtime.start(litePlan('y', yPort, 'serve', { env: { LITE_GREETING: 'http://{{link:l1:rpc}}' }, links: [link] }))
  const viaY = String(await rpc(y.endpoint('rpc'), 'test_env'))
  expect(await rpc(viaY, 'eth_chainId')).toBe('0x7a69')
})

test('error: a link proxy that fails to start fails the service started beside it, which is stopped', async () => {
  const [l1Port, xPort] = [await freePort(), await freePort()]
  // The stand-in program as the proxy: it cannot listen on `--admin-port` as a port, and exits.
  const runtime = newRuntime({ linkProxyEntrypoint: liteEntrypoint })
  const started = runtime.start(litePlan('x', xPort, 'serve', { links: [{ to: 'l1', port: 'rpc', class: 'rpc', target: { host: '127.0.0.1', port: l1Port } }] }))
  await expect(started).rejects.toThrow(ServiceError)
  await expect(started).rejects.toThrow(/x.*failed to become ready.*_links/s)
  // Nothing runs in x's directory (it may be killed before it wrote its pid).
  const dir = join(runtime.options.stateDir, 'x')
  const inDir = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/cwd`) === dir
    } catch {
      return false
    }
  })
  expect(inDir).toEqual([])
})

test('error: partition without a link proxy', async () => {
  const runtime = newRuntime()
  await expect(runtime.partition([['a'], ['b']], { links: 'all' })).rejects.toThrow(/cannot partition: no link proxy runs in/)
})

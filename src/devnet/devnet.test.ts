import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { DevnetError, ServiceError } from '../errors.js'
import { isProcessAlive } from '../runtime/process/index.js'
import { defaultTopology, type Topology } from '../topology/index.js'
import {
  devnetStatus,
  findStateDir,
  readDescriptor,
  readLogLines,
  startDevnet,
  stopFromDescriptor,
  type Devnet,
  type DevnetEvent,
  type StartDevnetOptions,
} from './index.js'
import { portTakenReason } from './start.js'

const liteEntrypoint = fileURLToPath(new URL('./__fixtures__/fake-lite.mjs', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'op-devnet-devnet-'))
const started: Devnet[] = []
let dirs = 0

afterEach(async () => {
  delete process.env.FAKE_LITE_CRASH
  delete process.env.FAKE_LITE_HANG
  delete process.env.FAKE_LITE_CRASH_AFTER_MS
  delete process.env.FAKE_LITE_SLOW
  delete process.env.FAKE_LITE_STALE
  await Promise.all(started.splice(0).map((devnet) => devnet.stop().catch(() => {})))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

function topology(change: (t: Topology) => void = () => {}): Topology {
  const t = { ...defaultTopology(), ports: 'auto' as const }
  t.l1.blockTime = 1
  change(t)
  return t
}

async function start(options: StartDevnetOptions = {}): Promise<Devnet> {
  const devnet = await startDevnet({ topology: topology(), runtime: 'process', stateDir: join(root, `d${dirs++}`), liteEntrypoint, readyTimeoutMs: 15_000, ...options })
  started.push(devnet)
  return devnet
}

test('default', async () => {
  const events: DevnetEvent[] = []
  const devnet = await start({ onEvent: (e) => events.push(e) })
  // Every service starts at once: those that need L1 (the nodes, batcher, proposer, challenger) wait for it
  // in their launcher (`waitsFor`), the others need nothing.
  const seen = events.map((e) => `${e.service}:${e.phase}`)
  expect(seen.slice(0, 8).every((e) => e.endsWith(':starting')), seen.join(' ')).toBe(true)
  expect([...seen].sort()).toEqual(
    ['l1', 'l1-clock', 'bootnode', 'sequencer', 'replica-0', 'batcher', 'proposer', 'proxyd', 'challenger'].flatMap((s) => [`${s}:starting`, `${s}:ready`]).sort(),
  )
  for (const s of ['sequencer', 'replica-0', 'batcher']) expect(seen.indexOf(`${s}:starting`)).toBeLessThan(seen.indexOf(`${s}:ready`))
  expect(Object.keys(devnet.endpoints)).toEqual(['l1', 'l1-clock', 'bootnode', 'sequencer', 'replica-0', 'batcher', 'proposer', 'proxyd', 'challenger'])
  expect(Object.keys(devnet.endpoints.proxyd)).toEqual(['rpc', 'ws', 'metrics'])
  expect(devnet.endpoints.proxyd.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
  expect(Object.keys(devnet.endpoints.sequencer)).toEqual(['el', 'rollup', 'elWs'])
  expect(devnet.endpoints.sequencer.elWs).toBe(devnet.endpoints.sequencer.el.replace('http:', 'ws:'))
  expect(devnet.endpoints.l1.rpc).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(devnet.endpoints.l1.ws).toBe(devnet.endpoints.l1.rpc.replace('http:', 'ws:'))
  expect(await devnet.l1.getChainId()).toBe(900)
  expect(devnet.l1.chain.id).toBe(900)
  expect(await devnet.l2().getChainId()).toBe(901)
  expect(await devnet.l2('replica-0').getChainId()).toBe(901)
  expect(devnet.l2()).toBe(devnet.l2('sequencer'))
  expect(devnet.service('batcher').state()).toBe('running')
  expect(devnet.keys.batcher.address).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')

  const recorded = readDescriptor(devnet.stateDir)
  expect(recorded).toEqual(devnet.descriptor())
  expect(recorded.services.map((s) => [s.name, s.role, s.state])).toEqual([
    ['l1', 'l1', 'running'], ['l1-clock', 'l1-clock', 'running'], ['bootnode', 'bootnode', 'running'], ['sequencer', 'sequencer', 'running'], ['replica-0', 'replica', 'running'], ['batcher', 'batcher', 'running'], ['proposer', 'proposer', 'running'],
    ['proxyd', 'proxyd', 'running'], ['challenger', 'challenger', 'running'],
  ])
  expect(recorded.keys.sequencer.address).toBe('0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65')
  expect(recorded.accounts).toHaveLength(10)
  expect(recorded.chains).toEqual({ l1: { chainId: 900 }, l2: { chainId: 901 } })

  const status = await devnet.status()
  expect(status.chains.l1.head).toBeTypeOf('number')
  const heads = status.services.find((s) => s.name === 'sequencer')!.heads!
  expect(heads.unsafe).toBe(heads.safe + 1)
  expect(status.services.find((s) => s.name === 'batcher')!.heads).toBeUndefined()

  const pids = recorded.services.map((s) => s.pid)
  const first = devnet.stop()
  expect(devnet.stop()).toBe(first)
  await first
  for (const pid of pids) expect(isProcessAlive(pid)).toBe(false)
  expect(existsSync(join(devnet.stateDir, 'devnet.json'))).toBe(false)
  expect(readLogLines(devnet.stateDir, 'sequencer').join('\n')).toContain('fake rollup-node sequencer starting')
})

test('behavior: status and down from the state directory (another process)', async () => {
  const devnet = await start({ detach: true })
  const status = await devnetStatus(devnet.stateDir)
  expect(status.services.every((s) => s.state === 'running')).toBe(true)
  expect(status.services.find((s) => s.name === 'replica-0')!.heads).toBeDefined()
  expect(findStateDir({ stateDir: devnet.stateDir })).toBe(devnet.stateDir)

  const linksPid = Number(readFileSync(join(devnet.stateDir, '_links', 'pid'), 'utf8'))
  expect(await stopFromDescriptor(devnet.stateDir)).toEqual(['challenger', 'proxyd', 'proposer', 'batcher', 'replica-0', 'sequencer', 'bootnode', 'l1-clock', 'l1'])
  expect(isProcessAlive(linksPid)).toBe(false) // the link proxies are stopped too, after the services
  for (const s of status.services) expect(isProcessAlive(s.pid)).toBe(false)
  expect(existsSync(join(devnet.stateDir, 'devnet.json'))).toBe(false)
  await expect(devnetStatus(devnet.stateDir)).rejects.toMatchObject({ code: 'DEVNET_NOT_RUNNING' })
  await expect(stopFromDescriptor(devnet.stateDir)).rejects.toMatchObject({ code: 'DEVNET_NOT_RUNNING' })
})

test('behavior: L1 mines no block while the devnet starts, however long the start takes, and mines once it is up', async () => {
  // The batcher is ready 3 s late: L1 (2 s blocks) would have mined one or two blocks by then.
  process.env.FAKE_LITE_SLOW = 'batcher'
  const t0 = Date.now()
  const devnet = await start()
  expect(Date.now() - t0).toBeGreaterThan(3_000)
  expect(await devnet.l1.getBlockNumber()).toBe(0n)
  for (const end = Date.now() + 5_000; (await devnet.l1.getBlockNumber()) === 0n && Date.now() < end;) await new Promise((r) => setTimeout(r, 100))
  expect(await devnet.l1.getBlockNumber()).toBeGreaterThan(0n)
})

test('behavior: a sequencer that does not catch up with the clock is named in a notice, and L1 mines all the same', async () => {
  // Its unsafe head stays at time 0: the start gives up on it once it has not gained for 2 s.
  process.env.FAKE_LITE_STALE = 'sequencer'
  const notices: string[] = []
  const devnet = await start({ onNotice: (m) => notices.push(m) })
  expect(notices).toEqual([expect.stringMatching(/^sequencer is \d+ L2 blocks behind the clock and not catching up; L1 mines from now on/)])
  for (const end = Date.now() + 5_000; (await devnet.l1.getBlockNumber()) === 0n && Date.now() < end;) await new Promise((r) => setTimeout(r, 100))
  expect(await devnet.l1.getBlockNumber()).toBeGreaterThan(0n)
})

test('behavior: await using stops the devnet', async () => {
  let stateDir: string
  {
    await using devnet = await startDevnet({ topology: topology(), runtime: 'process', stateDir: join(root, `d${dirs++}`), liteEntrypoint })
    stateDir = devnet.stateDir
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(true)
  }
  expect(existsSync(join(stateDir, 'devnet.json'))).toBe(false)
})

describe('error', () => {
  test('a devnet already runs in the state directory', async () => {
    const devnet = await start()
    const error = await startDevnet({ topology: topology(), runtime: 'process', stateDir: devnet.stateDir, liteEntrypoint }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetError)
    expect(error).toMatchObject({ code: 'DEVNET_ALREADY_RUNNING' })
    expect(devnet.service('l1').state()).toBe('running')
  })

  test('a service fails: everything started is stopped, logs stay', async () => {
    process.env.FAKE_LITE_CRASH = 'replica-0'
    const events: DevnetEvent[] = []
    const stateDir = join(root, `d${dirs++}`)
    const error = await startDevnet({ topology: topology(), runtime: 'process', stateDir, liteEntrypoint, onEvent: (e) => events.push(e) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServiceError)
    expect(error).toMatchObject({ service: 'replica-0', code: 'DEVNET_SERVICE_FAILED' })
    expect((error as Error).message).toContain('boom: crashing on purpose')
    expect(events.filter((e) => e.phase === 'failed')).toMatchObject([{ service: 'replica-0', phase: 'failed' }])
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(false)
    for (const name of ['l1', 'sequencer', 'batcher']) expect(existsSync(join(stateDir, name, 'pid'))).toBe(false)
    expect(readFileSync(join(stateDir, 'replica-0', 'service.log'), 'utf8')).toContain('boom')
    expect(readLogLines(stateDir, 'l1', 500).join('\n')).toContain('Listening on')
  })

  test('a service fails: those starting beside it stop waiting at once, and its failure is the one reported', async () => {
    // replica-0 never gets ready: without the early end its start would wait out the 60 s readiness timeout.
    process.env.FAKE_LITE_CRASH = 'batcher'
    process.env.FAKE_LITE_CRASH_AFTER_MS = '1000'
    process.env.FAKE_LITE_HANG = 'replica-0'
    const events: DevnetEvent[] = []
    const stateDir = join(root, `d${dirs++}`)
    const error = await startDevnet({ topology: topology(), runtime: 'process', stateDir, liteEntrypoint, readyTimeoutMs: 60_000, onEvent: (e) => events.push(e) }).catch((e: unknown) => e)
    expect(error).toMatchObject({ service: 'batcher', code: 'DEVNET_SERVICE_FAILED' })
    expect((error as Error).message).toContain('boom: crashing on purpose')
    expect(events.filter((e) => e.phase === 'failed').map((e) => e.service)).toEqual(['batcher'])
    expect(readFileSync(join(stateDir, 'replica-0', 'service.log'), 'utf8')).toContain('hanging on purpose')
    for (const name of ['l1', 'sequencer', 'replica-0']) expect(existsSync(join(stateDir, name, 'pid'))).toBe(false)
  }, 30_000)

  test('behavior: a port found free but taken before its service binds it: the start begins again on other ports, and says so', async () => {
    const holders: Server[] = []
    const notices: string[] = []
    const l1Ports: number[] = []
    const devnet = await start({
      onNotice: (n) => notices.push(n),
      // Another program takes L1's port between the allocation and L1's start (the first plan only).
      onPlan: (plan) => {
        l1Ports.push(plan.services.find((s) => s.name === 'l1')!.ports.rpc.host)
        if (l1Ports.length === 1) holders.push(createServer().listen(l1Ports[0]))
      },
    })
    try {
      expect(l1Ports).toHaveLength(2)
      expect(l1Ports[1]).not.toBe(l1Ports[0])
      expect(devnet.endpoints.l1.rpc).toBe(`http://127.0.0.1:${l1Ports[1]}`)
      expect(await devnet.l1.getChainId()).toBe(devnet.chains.l1.id)
      expect(notices.filter((n) => n.includes('starting again on other ports'))).toEqual([expect.stringMatching(/^l1: a port found free was taken before it started \(port \d+ \(rpc\) is already in use/)])
    } finally {
      for (const h of holders) h.close()
    }
  })

  test('args: a port taken is told by the runtime\'s check, the program\'s own words (anvil, Node) or docker\'s; other failures are not', () => {
    const logs = (line: string) => new ServiceError('l1', 'exited with code 1 before it was ready', { logs: ['starting', line] })
    expect(portTakenReason(new ServiceError('l1', 'port 21715 (rpc) is already in use on 127.0.0.1: another program holds it'))).toBe('port 21715 (rpc) is already in use on 127.0.0.1: another program holds it')
    expect(portTakenReason(logs('Error: Address already in use (os error 98)'))).toBe('Error: Address already in use (os error 98)')
    expect(portTakenReason(logs('Error: listen EADDRINUSE: address already in use 127.0.0.1:21716'))).toMatch(/EADDRINUSE/)
    expect(portTakenReason(new ServiceError('proxyd', 'Bind for 127.0.0.1:21717 failed: port is already allocated'))).toMatch(/already allocated/)
    expect(portTakenReason(logs('boom: crashing on purpose'))).toBeUndefined()
    expect(portTakenReason(new Error('connect ECONNREFUSED'))).toBeUndefined()
  })

  test('error: ports taken at every attempt: the third failure is thrown, naming the service and the port error; nothing stays', async () => {
    const holders: Server[] = []
    const events: DevnetEvent[] = []
    const stateDir = join(root, `d${dirs++}`)
    const error = await startDevnet({
      topology: topology(), runtime: 'process', stateDir, liteEntrypoint,
      onEvent: (e) => events.push(e),
      onPlan: (plan) => void holders.push(createServer().listen(plan.services.find((s) => s.name === 'l1')!.ports.rpc.host)),
    }).catch((e: unknown) => e)
    for (const h of holders) h.close()
    expect(holders).toHaveLength(3)
    expect(error).toBeInstanceOf(ServiceError)
    expect(error).toMatchObject({ service: 'l1', code: 'DEVNET_SERVICE_FAILED' })
    expect((error as Error).message).toMatch(/already in use/)
    // Only the last attempt's failure is an event: the earlier ones were not the end of the start.
    expect(events.filter((e) => e.phase === 'failed').map((e) => e.service)).toEqual(['l1'])
    for (const name of ['l1', 'l1-clock', 'sequencer', 'replica-0', 'batcher', 'bootnode']) expect(existsSync(join(stateDir, name, 'pid'))).toBe(false)
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(false)
  })

  test('error: stable ports are not changed behind the user\'s back: a port taken fails the start at once', async () => {
    const stateDir = join(root, `d${dirs++}`)
    let holder: Server | undefined
    let plans = 0
    const error = await startDevnet({
      topology: { ...topology(), ports: 'stable' }, runtime: 'process', stateDir, liteEntrypoint,
      onPlan: (plan) => {
        plans++
        holder = createServer().listen(plan.services.find((s) => s.name === 'l1')!.ports.rpc.host)
      },
    }).catch((e: unknown) => e)
    holder?.close()
    expect(plans).toBe(1)
    expect(error).toMatchObject({ service: 'l1', code: 'DEVNET_SERVICE_FAILED' })
  })

  test('lite components not built', async () => {
    const stateDir = join(root, `d${dirs++}`)
    const error = await startDevnet({ topology: topology(), runtime: 'process', stateDir, liteEntrypoint: join(root, 'missing.js') }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'DEVNET_RUNTIME_UNAVAILABLE' })
    expect(existsSync(stateDir)).toBe(false)
  })


  test('aborted start stops what started', async () => {
    const controller = new AbortController()
    const stateDir = join(root, `d${dirs++}`)
    const promise = startDevnet({
      topology: topology(),
      runtime: 'process',
      stateDir,
      liteEntrypoint,
      signal: controller.signal,
      onEvent: (e) => e.service === 'sequencer' && e.phase === 'ready' && controller.abort(),
    })
    await expect(promise).rejects.toThrow(/aborted/)
    for (const name of ['l1', 'sequencer', 'replica-0', 'batcher']) expect(existsSync(join(stateDir, name, 'pid'))).toBe(false)
    expect(existsSync(join(stateDir, 'devnet.json'))).toBe(false)
  })

  test('unknown service and node', async () => {
    const devnet = await start()
    expect(() => devnet.service('nope')).toThrow(/no service named "nope"/)
    expect(() => devnet.l2('batcher')).toThrow(/no rollup node named "batcher"/)
  })
})

test('the start gives rollup nodes beyond the default two 1 s each of readiness time, shared by the cores', async () => {
  const { startReadyAllowanceMs } = await import('./start.js')
  const services = (replicas: number) => ({
    services: [{ role: 'l1' }, { role: 'sequencer' }, ...Array.from({ length: replicas }, () => ({ role: 'replica' })), { role: 'batcher' }] as Devnet['plan']['services'],
  })
  expect(startReadyAllowanceMs(services(1), 2)).toBe(0)
  expect(startReadyAllowanceMs(services(50), 2)).toBe(24_500)
  expect(startReadyAllowanceMs(services(50), 8)).toBe(6_125)
})

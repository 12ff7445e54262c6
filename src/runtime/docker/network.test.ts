/** The docker runtime against the real engine: partitions, link faults and the in-container link proxies. */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { allocatePorts } from '../ports.js'
import { requires } from '../../../test/requires.js'
import { engine, docker, newRuntime, stateRoot, anvilPlan, p2pPlan, rpc, timedCallScript, reach, execIn, lookup, addressOf, leftovers, useDockerSuite } from './__fixtures__/harness.js'
import { aliasOf, networkName } from './networks.js'
import { netemAvailable, netemAvailableCached } from './linkProxies.js'

requires('a Docker engine', engine, 'bash scripts/docker-engine.sh')('docker runtime networks', () => {
  useDockerSuite('odn')

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

  test("behavior: partition all keeps L1's group on the shared network (its connections survive); the unnamed rest moves", async () => {
    const runtime = newRuntime()
    const devnet = runtime.options.devnet
    const [l1Port] = await allocatePorts(1)
    await runtime.start(anvilPlan('l1', l1Port!))
    for (const name of ['a', 'b', 'd']) await runtime.start(await p2pPlan(name))
    const before = await addressOf(`${devnet}-b`, networkName(devnet, 'rpc'))
    await runtime.partition([['a'], ['l1', 'b']], { links: 'all' })
    const moved = runtime.partitioned()!.moved.filter((m) => m.link === 'rpc').map((m) => m.service).sort()
    expect(moved).toEqual(['a', 'd'])
    expect(await addressOf(`${devnet}-b`, networkName(devnet, 'rpc'))).toBe(before)
    expect(await reach(`${devnet}-b`, `${devnet}-l1`)).toBe('ok')
    expect(await reach(`${devnet}-d`, `${devnet}-l1`)).toBe('ENOTFOUND')
    expect(await reach(`${devnet}-a`, `${devnet}-d`)).toBe('ENOTFOUND')
    await runtime.heal()
    expect(await reach(`${devnet}-d`, `${devnet}-l1`)).toBe('ok')
  })

  test('behavior: the netem probe runs once per engine and kernel; the cache keeps its answer, and a bad cache file means probing again', async () => {
    const { image } = newRuntime().options
    const dir = mkdtempSync(join(tmpdir(), 'odn-probe-'))
    try {
      let created = 0
      const counting = Object.create(docker, { createContainer: { value: (...args: Parameters<typeof docker.createContainer>) => (created++, docker.createContainer(...args)) } }) as typeof docker
      const answer = await netemAvailableCached(counting, image, {}, dir)
      expect(created).toBe(1)
      expect(answer).toBe(await netemAvailable(docker, image, {}))
      const { ID, KernelVersion } = (await docker.info()) as { ID: string; KernelVersion: string }
      const file = `netem-${`${ID}-${KernelVersion}`.replace(/[^a-zA-Z0-9_.-]/g, '_')}.json`
      expect(readdirSync(dir)).toEqual([file])
      expect(await netemAvailableCached(counting, image, {}, dir)).toBe(answer)
      expect(created).toBe(1)
      writeFileSync(join(dir, file), 'not json')
      expect(await netemAvailableCached(counting, image, {}, dir)).toBe(answer)
      expect(created).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
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
    else expect(delayed).toMatchObject({ via: 'netem', detail: expect.stringMatching(/netem delay 50ms/) })
  })

  test('behavior: with link proxies a lite container dials through them; faults shape, partitions cut', async () => {
    // A state directory so deep that the admin socket's path does not fit a socket address (108 bytes):
    // the runtime reaches it through a descriptor of its directory.
    const deep = join(stateRoot(), 'a-state-directory-deep-enough-that-the-admin-socket-path-exceeds-the-108-bytes-of-sun-path')
    const { runtime, devnet, a } = await linkedPair(deep)
    expect(Buffer.byteLength(join(deep, 'a', 'links.sock'))).toBeGreaterThan(107)
    expect(existsSync(join(deep, 'a', 'links.sock'))).toBe(true)
    expect(Object.keys(a.plan.ports)).toEqual(['admin']) // the test's own port: the proxy's admin is published on none
    expect(a.plan.env.C_URL).toBe('http://127.0.0.1:19901')
    const timedCall = () => execIn(`${devnet}-a`, ['node', '-e', timedCallScript, 'http://127.0.0.1:19901'])
    expect(await timedCall()).toMatch(/^0x7a69 \d+$/)
    const result = await runtime.setLinkFault('a', { delayMs: 300 })
    expect(result).toEqual({ via: 'proxy', detail: '{"delayMs":300} on 1 link(s): a>c:rpc' })
    expect(Number((await timedCall()).split(' ')[1])).toBeGreaterThanOrEqual(300)
    await a.restart() // a fresh proxy gets the fault again
    expect(Number((await timedCall()).split(' ')[1])).toBeGreaterThanOrEqual(300)
    await runtime.setLinkFault('a', undefined)
    await runtime.partition([['a'], ['c']], { links: 'all' })
    expect(await timedCall()).toMatch(/ECONNRESET|socket hang up/)
    await runtime.heal()
    expect(await timedCall()).toMatch(/^0x7a69 \d+$/)
  })

  test('behavior: with link proxies a paused container does not hold up a link fault; it gets the faults set and cleared meanwhile on resume', async () => {
    const { runtime, devnet, a } = await linkedPair()
    const timedCall = async () => Number((await execIn(`${devnet}-a`, ['node', '-e', timedCallScript, 'http://127.0.0.1:19901'])).split(' ')[1])
    await a.pause()
    const started = Date.now()
    // Before: the frozen proxy's admin call timed out (5 s) and the fault failed (a 15-minute docker chaos run).
    expect(await runtime.setLinkFault('c', { delayMs: 300 })).toEqual({ via: 'proxy', detail: '{"delayMs":300} on 0 link(s): ' })
    expect(Date.now() - started).toBeLessThan(2_000)
    await a.resume()
    expect(await timedCall()).toBeGreaterThanOrEqual(300) // the answers of c, on a's link to it
    await a.pause()
    await runtime.setLinkFault('c', undefined)
    await a.resume()
    expect(await timedCall()).toBeLessThan(300)
  })
})

/**
 * With link proxies always on: an anvil `c`, and a lite container `a` linked to c's rpc. The standalone
 * link proxy program stands in for a component: it answers links_list on 5000; `C_URL` is its link to c.
 */
async function linkedPair(stateDir?: string) {
  const runtime = newRuntime({ linkProxies: 'always', seed: 1, ...(stateDir ? { stateDir } : {}) })
  const devnet = runtime.options.devnet
  const [cPort, aPort] = await allocatePorts(2)
  await runtime.start(anvilPlan('c', cPort!))
  const a = await runtime.start({
    name: 'a', role: 'replica', program: 'lite', args: ['links', '--admin-port', '5000', '--admin-host', '0.0.0.0'], env: { C_URL: 'http://{{link:c:rpc}}' }, files: {},
    ports: { admin: { port: 5000, host: aPort!, protocol: 'http', public: true } }, readiness: { kind: 'rpc', port: 'admin', method: 'links_list' },
    dependsOn: [], links: [{ to: 'c', port: 'rpc', class: 'rpc', target: { host: `${devnet}-c`, port: 8545 } }],
  })
  return { runtime, devnet, a }
}

/**
 * `startDevnet` and the `devnet` CLI against the real lite components (`dist/components/main.js`, so run
 * `npm run build` first) on the process runtime: heads advance, the descriptor and clients are right, and
 * stopping leaves no process behind.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { defaultLiteEntrypoint, startDevnet, stopFromDescriptor, type Devnet, type DevnetDescriptor } from '../src/devnet/index.js'
import { addresses } from '../src/plan/genesis.js'
import { stablePorts } from '../src/plan/ports.js'
import { defaultTopology } from '../src/topology/index.js'
import { liveServiceDirs } from '../src/devnet/recorded.js'
import { isProcessAlive } from '../src/runtime/process/index.js'
import { runCli, testSpeed, waitFor } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-devnet-process-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('devnet on process', () => {
  let devnet: Devnet

  beforeAll(async () => {
    devnet = await startDevnet({ runtime: 'process', ports: 'auto', stateDir: join(root, 'api'), speed: testSpeed })
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('default: heads advance on every node; safe follows from L1', async () => {
    const status = await waitFor('replica safe >= 2', async () => {
      const s = await devnet.status()
      const replica = s.services.find((x) => x.name === 'replica-0')!.heads
      return replica && replica.safe >= 2 && s
    }, 45_000)
    for (const node of status.services.filter((s) => s.role === 'sequencer' || s.role === 'replica')) {
      expect(node.state).toBe('running')
      expect(node.heads!.finalized).toBeLessThanOrEqual(node.heads!.safe)
      expect(node.heads!.safe).toBeLessThanOrEqual(node.heads!.unsafe)
    }
    expect(status.chains.l1.head).toBeGreaterThan(0)
  })

  test('behavior: clients see the genesis the planner wrote', async () => {
    expect(await devnet.l1.getChainId()).toBe(devnet.topology.l1.chainId)
    expect(await devnet.l2().getChainId()).toBe(devnet.topology.l2.chainId)
    expect(await devnet.l2('replica-0').getCode({ address: addresses.l1Block })).toMatch(/^0x6080/)
    expect(await devnet.l2().getCode({ address: addresses.l2ToL1MessagePasser })).toMatch(/^0x6080/)
    expect(await devnet.l1.getBalance({ address: devnet.keys.accounts[9].address })).toBe(parseEther('10000'))
    expect(await devnet.l2().getBalance({ address: devnet.keys.accounts[9].address })).toBe(parseEther('10000'))
  })

  test('behavior: stop leaves no process', async () => {
    const pids = devnet.descriptor().services.map((s) => s.pid)
    await devnet.stop()
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false)
    expect(existsSync(join(devnet.stateDir, 'devnet.json'))).toBe(false)
  })
})

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('devnet CLI on process', () => {
  const cwd = join(root, 'cli')
  mkdirSync(cwd, { recursive: true })
  const devnet = (args: string[]) => runCli(cwd, args)

  afterAll(async () => {
    // Without the CLI, so a broken CLI cannot leak a detached devnet.
    await stopFromDescriptor(join(cwd, '.devnet', 'devnet')).catch(() => {})
  })

  test('default: up --detach, status --json shows heads advancing, down', async () => {
    const up = await devnet(['up', '--detach', '--ports', 'auto', '--runtime', 'process'])
    expect(up.stderr).toBe('')
    expect(up.code).toBe(0)
    expect(up.stdout).toContain('DEV ONLY')

    const unsafe = async () => {
      const { stdout, code } = await devnet(['status', '--json'])
      expect(code).toBe(0)
      return (JSON.parse(stdout) as DevnetDescriptor).services.find((s) => s.name === 'sequencer')!.heads?.unsafe ?? -1
    }
    const first = await unsafe()
    await waitFor('unsafe advances', async () => (await unsafe()) > first, 20_000, 500)

    const down = await devnet(['down'])
    expect(down.code).toBe(0)
    expect(down.stdout).toBe('stopped: challenger, proxyd, proposer, batcher, replica-0, sequencer, bootnode, l1-clock, l1\n')
    expect((await devnet(['status'])).code).toBe(1)
  })
})

test('error: with stable ports, a port another program holds fails the start before any service starts, naming port and service', async () => {
  const port = stablePorts(defaultTopology()).batcher.rpc
  const holder = createServer()
  // Held by us, or already by someone else: taken either way.
  await new Promise<void>((done) => holder.once('error', () => done()).listen({ host: '0.0.0.0', port }, done))
  const stateDir = join(root, 'stable-taken')
  try {
    const error = await startDevnet({ runtime: 'process', ports: 'stable', stateDir }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'DEVNET_RUNTIME_UNAVAILABLE' })
    expect((error as Error).message).toMatch(/^port \d+ \(\S+ \S+\) is already in use on 127\.0\.0\.1\n/)
    expect(liveServiceDirs(stateDir)).toEqual([])
  } finally {
    await new Promise((done) => holder.close(done))
  }
})

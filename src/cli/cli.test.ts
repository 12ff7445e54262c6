import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { stopFromDescriptor, type DevnetDescriptor } from '../devnet/index.js'
import { isProcessAlive } from '../runtime/process/index.js'

// The command as users run it: bin/devnet.js, the bundle `npm run build` writes (`npm test` builds first).
// Through tsx each run took about 2 s of transpiling; the bundle starts in 0.2 s.
const cli = fileURLToPath(new URL('../../bin/devnet.js', import.meta.url))
const fakeLite = fileURLToPath(new URL('../devnet/__fixtures__/fake-lite.mjs', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'op-devnet-cli-'))
const children: ChildProcess[] = []
const workdirs: string[] = []
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  // Without the CLI, so a broken CLI cannot leak a detached devnet.
  for (const dir of workdirs) await stopFromDescriptor(join(dir, '.devnet', 'devnet')).catch(() => {})
  rmSync(root, { recursive: true, force: true })
})

let dirs = 0
function workdir(): string {
  const dir = join(root, `w${dirs++}`)
  mkdirSync(dir)
  workdirs.push(dir)
  return dir
}

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `devnet <args>` in `cwd`; `onStdout` sees output as it arrives (and may signal the child). */
function devnet(cwd: string, args: string[], options: { env?: Record<string, string>; onStdout?: (all: string, child: ChildProcess) => void } = {}): Promise<Result> {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk
    options.onStdout?.(stdout, child)
  })
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('error', () => {
  test('up with an invalid topology prints file:line and the path, starts nothing', async () => {
    const cwd = workdir()
    writeFileSync(join(cwd, 'bad.yaml'), 'name: bad\nl2:\n  chainId: 900\n')
    const { code, stderr } = await devnet(cwd, ['up', '-f', 'bad.yaml'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^error: bad\.yaml:3 l2\.chainId: /)
    expect(stderr).not.toMatch(/\n\s+at /) // no stack
    expect(existsSync(join(cwd, '.devnet'))).toBe(false)
  })

  test('up with DEVNET_FILE pointing at a missing file', async () => {
    const { code, stderr } = await devnet(workdir(), ['up'], { env: { DEVNET_FILE: 'nope.yaml' } })
    expect(code).toBe(1)
    expect(stderr).toContain('topology file not found: nope.yaml')
  })

  test('status with no devnet running', async () => {
    const { code, stderr } = await devnet(workdir(), ['status'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/no devnet is running in .*\.devnet\/devnet/)
  })

  test('usage errors exit 2', async () => {
    const cwd = workdir()
    expect((await devnet(cwd, ['up', '--ports', 'sometimes'])).code).toBe(2)
    expect((await devnet(cwd, ['frobnicate'])).code).toBe(2)
    const logs = await devnet(cwd, ['logs', 'sequencer'])
    expect(logs.code).toBe(2)
    expect(logs.stderr).toContain('no logs for service "sequencer"')
  })

  test('chaos: bad options exit 2 with a precise error; nothing starts and no report is written', async () => {
    const cwd = workdir()
    const cases: Array<[string[], string]> = [
      [['--faults', 'l1Reorg,nope'], 'error: --faults: unknown fault "nope"; expected some of: l1Reorg'],
      [['--duration', '0s'], 'error: --duration: expected a duration > 0 like 30m or 90s, found "0s"'],
      [['--faults', 'overrideLeader'], 'error: --faults: overrideLeader cannot be drawn by chaos runs (broken on purpose: the node sequences beside the conductor leader'],
      [['-f', 'single.yaml', '--faults', 'partition'], 'error: --faults: partition cannot run on this topology: a partition needs at least 2 rollup nodes; the topology has 1'],
      [['--faults', 'l1Reorg,l1Halt', '--intensity', 'high'], 'error: --intensity: high runs up to 3 faults at once, but l1Reorg, l1Halt on this topology'],
    ]
    writeFileSync(join(cwd, 'single.yaml'), 'l2: { replicas: 0 }\n')
    for (const [args, message] of cases) {
      const { code, stderr } = await devnet(cwd, ['chaos', '--runtime', 'process', '--report', 'out', ...args])
      expect(code, stderr).toBe(2)
      expect(stderr).toContain(message)
    }
    expect(existsSync(join(cwd, 'out'))).toBe(false)
    expect(existsSync(join(cwd, '.devnet'))).toBe(false)
  }, 120_000)

  test('fault: an unknown fault exits 2 naming the faults; a known one with no devnet running exits 1', async () => {
    const cwd = workdir()
    const unknown = await devnet(cwd, ['fault', 'l1reorg', '--depth', '3'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('error: fault: unknown fault "l1reorg"; expected one of: l1Reorg, l1Halt')
    const none = await devnet(cwd, ['fault', 'l1Reorg', '--depth', '3'])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/no devnet is running in .*\.devnet\/devnet/)
    expect((await devnet(cwd, ['heal'])).code).toBe(1)
  }, 120_000)
})

test('behavior: down with nothing running is fine', async () => {
  const { code, stdout } = await devnet(workdir(), ['down'])
  expect(code).toBe(0)
  expect(stdout).toContain('no devnet is running')
})

test('behavior: up --detach, status, logs, down', async () => {
  const cwd = workdir()
  const env = { DEVNET_LITE_ENTRYPOINT: fakeLite }
  const up = await devnet(cwd, ['up', '--detach', '--ports', 'auto', '--runtime', 'process'], { env })
  expect(up.stderr).toBe('')
  expect(up.code).toBe(0)
  expect(up.stdout).toContain('devnet "devnet" is up')
  expect(up.stdout).toMatch(/sequencer\s+el\s+http:\/\/127\.0\.0\.1:\d+/)
  expect(up.stdout).toContain('DEV ONLY')
  expect(up.stdout).toContain('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')

  const json = await devnet(cwd, ['status', '--json'])
  expect(json.code).toBe(0)
  const descriptor = JSON.parse(json.stdout) as DevnetDescriptor
  expect(descriptor.services.map((s) => [s.name, s.state])).toEqual([['l1', 'running'], ['l1-clock', 'running'], ['bootnode', 'running'], ['sequencer', 'running'], ['replica-0', 'running'], ['batcher', 'running'], ['proposer', 'running'], ['proxyd', 'running'], ['challenger', 'running']])
  const described = (name: string) => descriptor.services.find((s) => s.name === name)!
  expect(Object.keys(described('l1-clock').endpoints)).toEqual(['rpc'])
  expect(Object.keys(described('bootnode').endpoints)).toEqual(['rpc'])
  expect(Object.keys(described('sequencer').endpoints)).toEqual(['el', 'rollup', 'elWs'])
  expect(Object.keys(described('proposer').endpoints)).toEqual(['rpc', 'metrics'])
  expect(Object.keys(described('proxyd').endpoints)).toEqual(['rpc', 'ws', 'metrics'])
  expect(described('sequencer').heads).toBeDefined()
  expect(descriptor.chains.l1.head).toBeTypeOf('number')

  const human = await devnet(cwd, ['status', '--name', 'devnet'])
  expect(human.stdout).toMatch(/replica-0\s+replica\s+running/)
  expect(human.stdout).toContain('L1 head:')

  const logs = await devnet(cwd, ['logs', 'sequencer', '-n', '1'])
  expect(logs.stdout).toBe('fake rollup-node sequencer starting\n')

  const down = await devnet(cwd, ['down'])
  expect(down.code).toBe(0)
  expect(down.stdout).toBe('stopped: challenger, proxyd, proposer, batcher, replica-0, sequencer, bootnode, l1-clock, l1\n')
  for (const s of descriptor.services) expect(isProcessAlive(s.pid)).toBe(false)
  expect((await devnet(cwd, ['status'])).code).toBe(1)
})

test('behavior: up shows live heads (plain lines off a TTY) until SIGINT, then stops', async () => {
  const cwd = workdir()
  let signalled = false
  const result = await devnet(cwd, ['up', '--ports', 'auto', '--runtime', 'process'], {
    env: { DEVNET_LITE_ENTRYPOINT: fakeLite },
    onStdout: (all, child) => {
      if (!signalled && (all.match(/unsafe\/safe\/finalized/g) ?? []).length >= 2) {
        signalled = true
        child.kill('SIGINT')
      }
    },
  })
  expect(result.code).toBe(0)
  expect(result.stdout).toMatch(/\] l1=\d+ sequencer=\d+\/\d+\/\d+ replica-0=\d+\/\d+\/\d+ \(unsafe\/safe\/finalized\)/)
  expect(result.stdout).toContain('devnet "devnet" stopped')
  expect(result.stderr).toContain('SIGINT: stopping the devnet')
  expect(existsSync(join(cwd, '.devnet', 'devnet', 'devnet.json'))).toBe(false)
  expect(existsSync(join(cwd, '.devnet', 'devnet', 'sequencer', 'pid'))).toBe(false)
})

test('behavior: Ctrl-C during scenario run leaves no service process and no state directory behind', async () => {
  const cwd = workdir()
  const name = `sigint-${process.pid}`
  writeFileSync(join(cwd, 's.yaml'), `name: ${name}\nsteps:\n  - sleep: 45s\n`)
  let signalled = false
  const result = await devnet(cwd, ['scenario', 'run', 's.yaml', '--runtime', 'process'], {
    onStdout: (all, child) => {
      if (!signalled && all.includes('sleep 45s')) {
        signalled = true
        child.kill('SIGINT')
      }
    },
  })
  expect(signalled, result.stdout + result.stderr).toBe(true)
  expect(result.code).not.toBe(0)
  await new Promise((r) => setTimeout(r, 500))
  expect(readdirSync(tmpdir()).filter((d) => d.startsWith(`op-devnet-scenario-${name}-`))).toEqual([])
  // A process left over would still have its working directory in the (removed) state directory.
  const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/cwd`).includes(`op-devnet-scenario-${name}-`)
    } catch {
      return false
    }
  })
  expect(left).toEqual([])
}, 120_000)

test('behavior: Ctrl-C during chaos leaves no service process and no state directory behind', async () => {
  const cwd = workdir()
  const seed = 900_000 + (process.pid % 1000)
  const child = devnet(cwd, ['chaos', '--runtime', 'process', '--duration', '1m', '--seed', String(seed), '--report', 'out'])
  const prefix = `op-devnet-scenario-chaos-seed-${seed}-`
  // Interrupted while the run goes on: its devnet is up (the descriptor is written), the load and the
  // recorder have had 2 s.
  const up = () => readdirSync(tmpdir()).some((d) => d.startsWith(prefix) && existsSync(join(tmpdir(), d, 'devnet.json')))
  for (const deadline = Date.now() + 60_000; !up() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100))
  expect(up()).toBe(true)
  await new Promise((r) => setTimeout(r, 2_000))
  children.at(-1)!.kill('SIGINT')
  const result = await child
  expect(result.code, result.stderr).toBe(130)
  expect(result.stderr).toContain('SIGINT: stopping the run')
  await new Promise((r) => setTimeout(r, 500))
  expect(readdirSync(tmpdir()).filter((d) => d.startsWith(prefix))).toEqual([])
  const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/cwd`).includes(prefix)
    } catch {
      return false
    }
  })
  expect(left).toEqual([])
}, 120_000)

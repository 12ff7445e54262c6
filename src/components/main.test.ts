import { isAscii } from 'node:buffer'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, expect, test } from 'vitest'
import { freePort } from '../runtime/ports.js'
import { anvilBinary } from '../runtime/process/binary.js'
import { codeCacheFile } from './shared/codeCache.js'
import { rpcClient } from './shared/jsonrpc.js'

// The built launcher (run `npm run build` first), with the link proxy program: small and quick to start.
const launcher = fileURLToPath(new URL('../../dist/components/main.js', import.meta.url))
/** Where the launcher keeps a program's code cache in `dir` (named after the program and its bundle's path). */
const programCache = (dir: string, name: string) => codeCacheFile(dir, name, fileURLToPath(new URL(`../../dist/components/programs/${name}.cjs`, import.meta.url)))
const root = mkdtempSync(join(tmpdir(), 'op-devnet-launcher-'))
const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

async function startLinks(env: Record<string, string>): Promise<ChildProcess> {
  const port = await freePort()
  const child = spawn(process.execPath, [launcher, 'links', '--admin-port', String(port)], { env: { ...process.env, ...env }, stdio: 'ignore' })
  children.push(child)
  // Until it answers, not until its port accepts: the kernel accepts connections once the port listens, before
  // the program has run on and installed its SIGTERM handler (a SIGTERM then killed it on a slow CI machine).
  const admin = rpcClient(`http://127.0.0.1:${port}`, 1_000)
  for (let i = 0; i < 200; i++) {
    if (await admin.call('links_list').then(() => true, () => false)) return child
    if (child.exitCode !== null) break
    await sleep(50)
  }
  throw new Error(`the links program did not answer on ${port} (exit ${child.exitCode})`)
}

async function waitFor(file: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(50)
}

test('behavior: with DEVNET_CODE_CACHE the launcher writes the program\'s code cache once, and later starts take it', { timeout: 30_000 }, async () => {
  const dir = join(root, 'with')
  const cache = programCache(dir, 'links')
  ;(await startLinks({ DEVNET_CODE_CACHE: dir })).kill('SIGKILL')
  expect(existsSync(cache)).toBe(false) // written once the program has run a while, not at load
  await startLinks({ DEVNET_CODE_CACHE: dir })
  await waitFor(cache)
  const written = statSync(cache).ino
  for (const child of children.splice(0)) child.kill('SIGKILL')

  await startLinks({ DEVNET_CODE_CACHE: dir }) // it runs from the cache...
  await sleep(2_500)
  expect(statSync(cache).ino).toBe(written) // ...and does not write it again (a write renames a new file in): V8 took it
})

test('behavior: a program stopped before the cache was due writes it as it exits (SIGTERM), so a short first run still fills it', async () => {
  const dir = join(root, 'stopped')
  const child = await startLinks({ DEVNET_CODE_CACHE: dir })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  expect(existsSync(programCache(dir, 'links'))).toBe(true)
})

test('behavior: every program has its own code cache, named after it (l1-clock ran uncached: the name check took no digits)', { timeout: 60_000 }, async () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<string>((resolve) => execFile(process.execPath, [launcher, ...args], { env: { ...process.env, ...env } }, (_error, stdout, stderr) => resolve(stdout + stderr)))
  const names = /usage: main\.js <([^>]+)>/.exec(await run([]))![1]!.split('|')
  expect(names).toContain('l1-clock')
  const dir = join(root, 'every')
  // Each fails on a config that does not exist, and writes its cache as it exits (the link proxy takes flags,
  // not a config: the tests above).
  const programs = names.filter((name) => name !== 'links')
  await Promise.all(programs.map((name) => run([name, join(dir, 'missing.json')], { DEVNET_CODE_CACHE: dir })))
  expect(readdirSync(dir).map((f) => join(dir, f)).toSorted()).toEqual(programs.map((name) => programCache(dir, name)).toSorted())
})

test('behavior: the build gives every program its own CommonJS bundle, pure ASCII like the command\'s (the loader reads them as one-byte strings)', async () => {
  const usage = await new Promise<string>((resolve) => execFile(process.execPath, [launcher], (_error, stdout, stderr) => resolve(stdout + stderr)))
  const names = /usage: main\.js <([^>]+)>/.exec(usage)![1]!.split('|')
  const dir = fileURLToPath(new URL('../../dist/components/programs/', import.meta.url))
  expect(readdirSync(dir).toSorted()).toEqual(names.map((name) => `${name}.cjs`).toSorted())
  for (const file of [...names.map((name) => join(dir, `${name}.cjs`)), fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url))]) {
    expect(isAscii(readFileSync(file)), file).toBe(true)
  }
})

test('behavior: with DEVNET_READY_FD the program says on that descriptor when it serves, and closes it', async () => {
  const port = await freePort()
  const child = spawn(process.execPath, [launcher, 'links', '--admin-port', String(port)], { env: { ...process.env, DEVNET_READY_FD: '3' }, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] })
  children.push(child)
  const pipe = child.stdio[3] as NodeJS.ReadableStream
  let said = ''
  pipe.on('data', (chunk: Buffer) => (said += chunk.toString()))
  await new Promise((resolve) => pipe.once('end', resolve))
  expect(said).toBe('ready\n')
  // Said once it serves: its admin RPC answers at once.
  expect(await rpcClient(`http://127.0.0.1:${port}`, 1_000).call('links_list')).toEqual([])
  expect(child.exitCode).toBeNull()
})

test('behavior: with DEVNET_READY_FILE (docker: a file in the bind-mounted service directory) the program creates that file once it serves', async () => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'op-devnet-ready-'))
  const file = join(dir, '.ready')
  const child = spawn(process.execPath, [launcher, 'links', '--admin-port', String(port)], { env: { ...process.env, DEVNET_READY_FILE: file }, stdio: 'ignore' })
  children.push(child)
  await expect.poll(() => existsSync(file), { timeout: 10_000 }).toBe(true)
  expect(readFileSync(file, 'utf8')).toBe('ready\n')
  // Said once it serves: its admin RPC answers at once.
  expect(await rpcClient(`http://127.0.0.1:${port}`, 1_000).call('links_list')).toEqual([])
  rmSync(dir, { recursive: true, force: true })
})

test('behavior: without DEVNET_CODE_CACHE the launcher runs the programs as ES modules', async () => {
  const child = await startLinks({ DEVNET_CODE_CACHE: '' })
  expect(child.exitCode).toBeNull()
})

/** Runs `rollup-node config.json` in a new directory holding `files`; its exit code and output. */
async function rollupNode(files: Record<string, string>): Promise<{ code: number | null; output: string; dir: string }> {
  const dir = join(root, `rollup-node-${readdirSync(root).length}`)
  mkdirSync(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return new Promise((resolve) => {
    execFile(process.execPath, [launcher, 'rollup-node', 'config.json'], { cwd: dir, env: { ...process.env, DEVNET_ANVIL_BIN: anvilBinary() } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: stdout + stderr, dir })
    })
  })
}

/** Processes whose command line names `dir` (the engine anvil gets its genesis path there). */
function processesIn(dir: string): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      return cmd.includes(dir) ? [cmd.replaceAll('\0', ' ')] : []
    } catch {
      return []
    }
  })
}

const genesis = JSON.stringify({ config: { chainId: 901 }, gasLimit: '0x1c9c380', difficulty: '0x0', alloc: {} })

test('error: the rollup node program reports an engine that does not start, with anvil\'s output', async () => {
  const run = await rollupNode({ 'config.json': JSON.stringify({ l2Genesis: 'genesis.json', p2p: {} }), 'genesis.json': '{ not json' })
  expect(run.code).toBe(1)
  expect(run.output).toMatch(/rollup-node failed: .*anvil exited/s)
})

test('error: a rollup node config the launcher cannot read (it spawns the engine first) is reported by the program', async () => {
  const run = await rollupNode({})
  expect(run.code).toBe(1)
  expect(run.output).toMatch(/rollup-node failed: .*ENOENT.*config\.json/s)
  expect(processesIn(run.dir)).toEqual([])
})

test('error: a rollup node that fails to start leaves no engine behind (the program spawns it before loading the node)', async () => {
  const run = await rollupNode({ 'config.json': JSON.stringify({ l2Genesis: 'genesis.json' }), 'genesis.json': genesis })
  expect(run.code).toBe(1)
  expect(run.output).toContain('rollup-node failed')
  await sleep(200)
  expect(processesIn(run.dir)).toEqual([])
})

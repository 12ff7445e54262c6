import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { codeCacheFile } from '../components/shared/codeCache.js'

// The built command (run `npm run build` first): `bin/devnet.js` runs `dist/bundle/cli.cjs` with V8's code cache.
const bin = fileURLToPath(new URL('../../bin/devnet.js', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'op-devnet-bin-'))
const bundles = { full: fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url)), light: fileURLToPath(new URL('../../dist/bundle/cli-light.cjs', import.meta.url)) }
/** The code cache of a subcommand in `cacheDir` (named after the command and its bundle's path). */
const cliCache = (cacheDir: string, command: string) => codeCacheFile(join(cacheDir, 'code'), `cli-${command}`, command.startsWith('light-') ? bundles.light : bundles.full)
afterAll(() => rmSync(root, { recursive: true, force: true }))

function devnet(args: string[], cacheDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, DEVNET_CACHE_DIR: cacheDir, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr })
    })
  })
}

test('behavior: the command writes its code cache per subcommand as it exits, and later runs take it', async () => {
  const cacheDir = join(root, 'cache')
  const cache = cliCache(cacheDir, 'status')
  const status = ['status', '--state-dir', join(root, 'no-devnet')]
  const first = await devnet(status, cacheDir)
  expect(first).toMatchObject({ code: 1, output: expect.stringContaining('no devnet is running') })
  expect(existsSync(cache)).toBe(true)
  const written = statSync(cache).ino

  expect((await devnet(status, cacheDir)).output).toContain('no devnet is running') // from the cache...
  expect(statSync(cache).ino).toBe(written) // ...not written again (a write renames a new file in): V8 took it
  // Commands a user does not wait on share one cache; paths from import.meta.url resolve (package.json).
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
  expect(await devnet(['--version'], cacheDir)).toEqual({ code: 0, output: `${version}\n` })
  expect(existsSync(cliCache(cacheDir, 'light-help'))).toBe(true)
})

test('behavior: down, logs and help run the light bundle, which leaves the other commands out', async () => {
  const cacheDir = join(root, 'light')
  const noDevnet = join(root, 'no-devnet')
  expect(await devnet(['down', '--state-dir', noDevnet], cacheDir)).toEqual({ code: 0, output: `no devnet is running in ${noDevnet}\n` })
  expect(await devnet(['logs', 'sequencer', '--state-dir', noDevnet], cacheDir)).toMatchObject({ code: 2, output: expect.stringContaining('no logs for service "sequencer"') })
  expect(await devnet(['--help'], cacheDir)).toMatchObject({ code: 0, output: expect.stringContaining('Usage: devnet') })
  for (const name of ['down', 'logs', 'help']) expect(existsSync(cliCache(cacheDir, `light-${name}`)), name).toBe(true)
  const light = readFileSync(bundles.light, 'latin1')
  const full = readFileSync(bundles.full, 'latin1')
  expect(light.length).toBeLessThan(full.length / 4)
  expect(light).toContain('commands/up.js is not in cli-light.cjs') // the stub that stands in for `up`
})

test('behavior: a cache V8 rejects (another build or Node) is written again', async () => {
  const cacheDir = join(root, 'rejected')
  const cache = cliCache(cacheDir, 'status')
  await devnet(['status', '--state-dir', join(root, 'no-devnet')], cacheDir)
  writeFileSync(cache, 'not a code cache')
  expect((await devnet(['status', '--state-dir', join(root, 'no-devnet')], cacheDir)).output).toContain('no devnet is running')
  expect(readFileSync(cache).length).toBeGreaterThan(10_000)
})

test('behavior: both bundles hold Docker\'s client; its BuildKit session (gRPC) and ssh transport are required from node_modules on first use only', async () => {
  const { createRequire } = await import('node:module')
  for (const file of [bundles.full, bundles.light]) {
    const text = readFileSync(file, 'latin1')
    expect(text).not.toMatch(/require\("dockerode"\)/) // bundled, so it loads with the command's code cache
    const lazy = [...text.matchAll(/require\("((?:dockerode|docker-modem)\/lib\/[a-z]+\.js)"\)/g)].map((m) => m[1]!)
    expect(lazy.toSorted()).toEqual(['docker-modem/lib/ssh.js', 'dockerode/lib/session.js'])
    // each resolves from where the bundle lies, and is the one-function module the stand-in calls
    const load = createRequire(file)
    for (const path of lazy) expect(typeof load(path)).toBe('function')
  }
})

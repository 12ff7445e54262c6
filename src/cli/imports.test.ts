import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'

/**
 * The commands that start nothing load nothing they do not use (issue 11: `--help` and `down` in a tenth of
 * a second): run the built CLI (`dist/cli`, one file per module, so every module shows) with a resolve hook
 * that lists each module it loads.
 */
const cli = new URL('../../dist/cli/index.js', import.meta.url).pathname
const hook = `data:text/javascript,${encodeURIComponent(
  'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("LOADED " + r.url + "\\n"); return r }',
)}`
const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)})`)}`
const heavy = /node_modules\/(viem|ox|prom-client|libp2p|@libp2p|@chainsafe|dockerode|etcd3|ws|listr2)\//

function modules(args: string[], cwd: string): string[] {
  const { stderr } = spawnSync(process.execPath, ['--import', register, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  return stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7))
}

describe('CLI module loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op-devnet-imports-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test.each([[['--help']], [['down']], [['status']]])('behavior: devnet %j loads no RPC, metrics, p2p or docker library', (args) => {
    const mods = modules([cli, ...args], dir)
    expect(mods.some((m) => m.endsWith('/dist/cli/program.js')), 'the hook saw the CLI load').toBe(true)
    expect(mods.filter((m) => heavy.test(m))).toEqual([])
  })

  test('behavior: the hook sees the heavy libraries when they load (the library entry loads viem)', () => {
    const entry = new URL('../../dist/index.js', import.meta.url).pathname
    const mods = modules(['--input-type=module', '-e', `await import(${JSON.stringify(entry)})`], dir)
    expect(mods.filter((m) => heavy.test(m)).length).toBeGreaterThan(10)
  })
})

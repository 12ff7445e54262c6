/**
 * The built command on the docker runtime: `bin/devnet.js` runs `dist/bundle/cli.cjs`, which holds Docker's
 * client itself (its BuildKit and ssh parts load on first use, `scripts/bundle.mjs`), so `up`, `status`
 * and `down` against a real engine are what prove that bundle works.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, expect, test } from 'vitest'
import { requires } from '../requires.js'
import { engine, leftovers } from '../../src/runtime/docker/__fixtures__/harness.js'
import type { DevnetDescriptor } from '../../src/devnet/index.js'

const cli = fileURLToPath(new URL('../../bin/devnet.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'op-devnet-cli-docker-'))
const name = `cli-docker-${process.pid}`
const run = (args: string[]) => promisify(execFile)(process.execPath, [cli, ...args, '--state-dir', join(dir, 'state')], { cwd: dir, timeout: 120_000 })

afterAll(async () => {
  await run(['down']).catch(() => {})
  rmSync(dir, { recursive: true, force: true })
})

requires('a Docker engine', engine, 'bash scripts/docker-engine.sh')('devnet command on docker', () => {
  test('behavior: up --detach, status --json and down on the docker runtime; nothing is left', async () => {
    writeFileSync(join(dir, 'devnet.yaml'), `name: ${name}\n`)
    const up = await run(['up', '--detach', '--runtime', 'docker', '--ports', 'auto', '--file', join(dir, 'devnet.yaml')])
    expect(up.stdout).toContain(`devnet "${name}" is up`)
    const status = JSON.parse((await run(['status', '--json'])).stdout) as DevnetDescriptor
    expect(status.runtime).toBe('docker')
    expect(status.services.every((s) => s.state === 'running')).toBe(true)
    expect(status.services.map((s) => s.name)).toContain('proxyd')
    const down = await run(['down'])
    expect(down.stdout).toMatch(/^stopped: /)
    expect(await leftovers(name)).toEqual({ containers: [], networks: [] })
  })
})

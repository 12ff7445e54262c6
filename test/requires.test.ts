import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, test } from 'vitest'

const fixture = join(import.meta.dirname, 'fixtures', 'requires')

/** Runs the fixture suite, which `requires` a tool that is missing, with or without CI=true. */
function runMissing(ci: boolean): { status: number | null; out: string } {
  const env = { ...process.env, CI: ci ? 'true' : '' }
  const vitest = join(import.meta.dirname, '..', 'node_modules', 'vitest', 'vitest.mjs')
  const r = spawnSync(process.execPath, [vitest, 'run', '--config', join(fixture, 'vitest.config.ts')], { encoding: 'utf8', env, timeout: 60_000 })
  return { status: r.status, out: r.stdout + r.stderr }
}

test('behavior: a missing tool skips locally', () => {
  const { status, out } = runMissing(false)
  expect(out).toContain('skipped "suite": frobnicator is missing (apt-get install -y frobnicator)')
  expect(status).toBe(0)
})

test('behavior: a missing tool fails in CI, naming the tool and its install step', () => {
  const { status, out } = runMissing(true)
  expect(out).toContain('frobnicator is missing (apt-get install -y frobnicator); CI must install it (.ci/run)')
  expect(status).not.toBe(0)
})

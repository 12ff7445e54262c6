/**
 * `npm test`'s build step (`scripts/build-if-stale.mjs`): it runs `npm run build` when a source is newer
 * than the stamp the last build wrote, and not otherwise. Run in a scratch package whose `build` script
 * only counts its runs.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, expect, test } from 'vitest'

const script = resolve('scripts/build-if-stale.mjs')
const dir = mkdtempSync(join(tmpdir(), 'op-devnet-build-if-stale-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('behavior: builds when dist/ is missing or older than a source, not when it is newer; tests and snapshots do not count', () => {
  const at = (path: string, seconds: number) => utimesSync(join(dir, path), seconds, seconds)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { build: 'node -e "require(\'fs\').appendFileSync(\'builds\', \'x\'); require(\'fs\').mkdirSync(\'dist\', { recursive: true }); require(\'fs\').writeFileSync(\'dist/.build-stamp\', \'\')"' } }))
  mkdirSync(join(dir, 'src/a/__snapshots__'), { recursive: true })
  for (const f of ['src/a/x.ts', 'src/a/x.test.ts', 'src/a/__snapshots__/x.test.ts.snap']) writeFileSync(join(dir, f), '')
  const builds = () => readFileSync(join(dir, 'builds'), 'utf8').length
  const run = () => execFileSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' })

  run() // no dist/ yet
  expect(builds()).toBe(1)
  const now = Math.floor(Date.now() / 1000)
  for (const f of ['package.json', 'src/a/x.ts', 'src/a/x.test.ts', 'src/a/__snapshots__/x.test.ts.snap']) at(f, now - 100)
  at('dist/.build-stamp', now - 50)
  expect(run()).toContain('not rebuilt')
  expect(builds()).toBe(1)
  at('src/a/x.test.ts', now) // a test is not built
  at('src/a/__snapshots__/x.test.ts.snap', now)
  run()
  expect(builds()).toBe(1)
  at('src/a/x.ts', now) // a source is
  run()
  expect(builds()).toBe(2)
  at('dist/.build-stamp', now + 10)
  at('package.json', now + 20) // so is the package's manifest
  run()
  expect(builds()).toBe(3)
})

import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect, test } from 'vitest'
import { dualRuntimeSuites } from './tiers.js'

const root = join(import.meta.dirname, '..')
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []))

test('behavior: every suite that runs on both runtimes is in dualRuntimeSuites, so the full tier runs its docker half', () => {
  const calling = files(join(root, 'test'))
    .filter((f) => !f.includes('/full/') && /\btestRuntimes\(\)/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f))
    .sort()
  expect(calling.length).toBeGreaterThan(5)
  expect(calling).toEqual([...dualRuntimeSuites].sort())
})

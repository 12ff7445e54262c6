import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, test } from 'vitest'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-code-cache-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

/** A CommonJS bundle with some code to compile; exports `sum`, `marker` (its length) and what it sees of `require`, `__filename`, `module`. */
function bundle(marker: string): string {
  const file = join(root, `bundle-${n++}.cjs`)
  const fns = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${i} + ${JSON.stringify(marker)}.length }`).join('\n')
  writeFileSync(file, `#!/usr/bin/env node\n${fns}\nexports.sum = 2 + 3\nexports.marker = f1(0)\nexports.path = require('node:path').basename(__filename)\nexports.self = module.exports === exports\n`)
  return file
}

// The built module (dist/, as the launcher runs it), in a new process per load: V8 keeps what it compiled
// in memory, and a second load in one process would find it there without looking at the cache file.
const codeCache = fileURLToPath(new URL('../../../dist/components/shared/codeCache.js', import.meta.url))

/** Loads `file` with `cache` in a new node process, then saves the cache if asked; what it saw. */
function load(file: string, cache: string, save = false): { cached: boolean; exports: Record<string, unknown> } {
  const script = `
    const { loadWithCodeCache } = await import(${JSON.stringify(codeCache)})
    const loaded = loadWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cache)})
    if (${save}) loaded.save()
    console.log(JSON.stringify({ cached: loaded.cached, exports: loaded.exports }))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))
}

test('default: a first load compiles and saves; the next load takes the cache and runs the same', () => {
  const file = bundle('a')
  const cache = join(root, 'a', 'cache.bin')
  const first = load(file, cache)
  expect(first).toEqual({ cached: false, exports: { sum: 5, marker: 1, path: file.split('/').pop(), self: true } })
  expect(existsSync(cache)).toBe(false) // written only on save
  load(file, cache, true)
  expect(readFileSync(cache).length).toBeGreaterThan(0)
  expect(load(file, cache)).toEqual({ ...first, cached: true })
})

test('behavior: a cache of another source or garbage is rejected, the bundle still runs and the next save replaces it', () => {
  const cache = join(root, 'b.bin')
  load(bundle('old'), cache, true)
  const file = bundle('new source')
  const stale = load(file, cache, true)
  expect(stale.cached).toBe(false)
  expect(stale.exports.marker).toBe('new source'.length) // the new source runs
  expect(load(file, cache).cached).toBe(true)

  writeFileSync(cache, 'not a code cache')
  const garbage = load(file, cache)
  expect(garbage).toMatchObject({ cached: false, exports: { marker: 'new source'.length } })
})

test('error: a cache that cannot be written is skipped, without a throw or a temporary file left', () => {
  const blocker = join(root, 'blocker')
  writeFileSync(blocker, 'a file where the cache directory would go')
  expect(load(bundle('c'), join(blocker, 'cache.bin'), true).exports.sum).toBe(5)

  const dir = join(root, 'target')
  mkdirSync(join(dir, 'cache.bin'), { recursive: true }) // a directory where the file goes: the rename fails
  expect(load(bundle('d'), join(dir, 'cache.bin'), true).exports.sum).toBe(5)
  expect(readdirSync(dir)).toEqual(['cache.bin'])
})

test('behavior: saveIfUncached writes a missing cache once (the timer or the exit, whichever comes first), a taken one never', async () => {
  const { saveIfUncached } = await import('./codeCache.js')
  const saves = { missing: 0, taken: 0 }
  const exits = process.listenerCount('exit')
  saveIfUncached({ exports: {}, cached: false, save: () => saves.missing++ }, 10)
  saveIfUncached({ exports: {}, cached: true, save: () => saves.taken++ }, 10)
  expect(process.listenerCount('exit')).toBe(exits + 1) // only the missing one waits for the exit
  await new Promise((r) => setTimeout(r, 50))
  const onExit = process.listeners('exit').at(-1) as () => void
  onExit() // as the process would at its exit
  process.removeListener('exit', onExit)
  expect(saves).toEqual({ missing: 1, taken: 0 })
})

test('behavior: an ASCII bundle and one with UTF-8 text both run as written (the ASCII one is read as Latin-1), with and without a cache', () => {
  const text = 'π ≠ 3, “quoted”, 𝑊'
  for (const [name, source] of [['ascii', `exports.text = ${JSON.stringify(text).replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)}\n`], ['utf8', `// ${text}\nexports.text = ${JSON.stringify(text)}\n`]]) {
    const file = join(root, `${name}.cjs`)
    writeFileSync(file, source)
    const cache = join(root, name, 'cache.bin')
    expect(load(file, cache, true)).toEqual({ cached: false, exports: { text } })
    expect(load(file, cache)).toEqual({ cached: true, exports: { text } })
  }
})

test('behavior: the same bundle at two paths keeps a cache each, so a stack trace names the file that runs (a shared one named the other)', () => {
  const source = 'exports.where = () => new Error("here").stack.split("\\n")[1]\n'
  const [a, b] = ['one', 'two'].map((d) => {
    mkdirSync(join(root, d))
    writeFileSync(join(root, d, 'cli.cjs'), source)
    return join(root, d, 'cli.cjs')
  }) as [string, string]
  const dir = join(root, 'per-path')
  const script = (file: string) => `
    const { codeCacheFile, loadWithCodeCache } = await import(${JSON.stringify(codeCache)})
    const loaded = loadWithCodeCache(${JSON.stringify(file)}, codeCacheFile(${JSON.stringify(dir)}, 'cli-up', ${JSON.stringify(file)}))
    loaded.save()
    console.log(JSON.stringify({ cached: loaded.cached, where: loaded.exports.where() }))`
  const run = (file: string) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script(file)], { encoding: 'utf8' })) as { cached: boolean; where: string }
  expect(run(a)).toMatchObject({ cached: false })
  expect(run(b)).toMatchObject({ cached: false })
  const [fromA, fromB] = [run(a), run(b)]
  expect(fromA.cached && fromB.cached).toBe(true)
  expect(fromA.where).toContain(a)
  expect(fromB.where).toContain(b)
  expect(readdirSync(dir).sort()).toHaveLength(2)
  expect(readdirSync(dir).every((f) => /^cli-up-[0-9a-f]{8}\.bin$/.test(f))).toBe(true)
})

test('behavior: a save keeps its program\'s caches last used from other paths (4 files in all), drops older ones and the unhashed file of older builds; other programs\' files stay', async () => {
  const { CODE_CACHES_KEPT, codeCacheFile } = await import('./codeCache.js')
  const dir = join(root, 'prune')
  mkdirSync(dir)
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000)
  const others = Array.from({ length: 6 }, (_, i) => `prog-0000000${i}.bin`) // prog-00000005 used last
  for (const [i, name] of [...others, 'prog.bin', 'other-00000000.bin', 'prog-extra-00000000.bin'].entries()) {
    writeFileSync(join(dir, name), 'an older cache')
    utimesSync(join(dir, name), daysAgo(20 - i), daysAgo(20 - i))
  }
  const file = bundle('prune')
  const cache = codeCacheFile(dir, 'prog', file)
  load(file, cache, true)
  expect(CODE_CACHES_KEPT).toBe(4)
  expect(readdirSync(dir).sort()).toEqual([basename(cache), 'prog-00000005.bin', 'prog-00000004.bin', 'prog-00000003.bin', 'other-00000000.bin', 'prog-extra-00000000.bin'].sort())
})

test('behavior: a start that takes the cache marks it as used now (what the prune keeps by)', async () => {
  const { codeCacheFile } = await import('./codeCache.js')
  const file = bundle('used')
  const cache = codeCacheFile(join(root, 'used'), 'prog', file)
  load(file, cache, true)
  const old = new Date(Date.now() - 10 * 86_400_000)
  utimesSync(cache, old, old)
  expect(load(file, cache).cached).toBe(true)
  expect(statSync(cache).mtimeMs).toBeGreaterThan(Date.now() - 60_000)
})

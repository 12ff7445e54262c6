/**
 * Loading a CommonJS bundle with V8's code cache (Node 20's `vm.Script` `cachedData`): compiled once, the
 * bundle's functions are then deserialized on every start instead of parsed and compiled again.
 */
import { isAscii } from 'node:buffer'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { Script } from 'node:vm'

export interface CodeCacheLoad {
  /** The bundle's `module.exports`. */
  exports: unknown
  /** Whether the cache file was there and V8 took it (not rejected for another source or V8 version). */
  cached: boolean
  /**
   * Writes the cache file from what has been compiled so far (call it once the program has started, so
   * that the functions its start ran are in). Best effort: a failure is ignored. The write is atomic
   * (a temporary file renamed), so concurrent writers and readers never see half a file.
   */
  save(): void
}

/** Hex digits of the path hash in a cache file's name (`<name>-<hash>.bin`), and the pattern of that hash. */
const PATH_HASH_DIGITS = 8
const pathHash = `[0-9a-f]{${PATH_HASH_DIGITS}}`

/**
 * The cache file of the bundle `file` in `dir`: `<name>-<hash of the bundle's path>.bin`. V8 takes a cache
 * for any script of the same source, and the functions it deserializes keep the script name they were
 * compiled under: two checkouts (or a global and a local install) of one version sharing `<name>.bin` had
 * each other's paths in their stack traces.
 */
export function codeCacheFile(dir: string, name: string, file: string): string {
  let hash = 0x811c9dc5 // FNV-1a, 32 bits: a name, not a secret
  for (let i = 0; i < file.length; i++) hash = Math.imul(hash ^ file.charCodeAt(i), 0x01000193)
  return join(dir, `${name}-${(hash >>> 0).toString(16).padStart(PATH_HASH_DIGITS, '0')}.bin`)
}

/** How many cache files of one program (or CLI command) a directory keeps: one per checkout path, the last used. */
export const CODE_CACHES_KEPT = 4

/**
 * Removes the cache files of `cacheFile`'s program but the {@link CODE_CACHES_KEPT} last used (a start that
 * takes a cache marks it, {@link loadWithCodeCache}), `cacheFile` always among them, and the program's
 * unhashed `<name>.bin` of builds before per-path files. Each checkout path (worktrees, CI clones, a global
 * install) has its own files of about 12 MB in all, and nothing removed them. Other programs' files stay.
 * Best effort: a file another process removed meanwhile is no error.
 */
export function pruneCodeCaches(cacheFile: string, kept = CODE_CACHES_KEPT): void {
  const own = basename(cacheFile)
  const name = new RegExp(`^(.+)-${pathHash}\\.bin$`).exec(own)?.[1]
  if (name === undefined) return
  const dir = dirname(cacheFile)
  const family = new RegExp(`^${name.replace(/[.*+?^$(){}|[\]\\]/g, '\\$&')}(-${pathHash})?\\.bin$`)
  const unhashed: string[] = []
  const hashed: { entry: string; usedMs: number }[] = []
  try {
    for (const entry of readdirSync(dir)) {
      const match = family.exec(entry)
      if (!match || entry === own) continue
      if (match[1] === undefined) unhashed.push(entry)
      else hashed.push({ entry, usedMs: statSync(join(dir, entry), { throwIfNoEntry: false })?.mtimeMs ?? 0 })
    }
    hashed.sort((x, y) => y.usedMs - x.usedMs)
    for (const entry of [...unhashed, ...hashed.slice(Math.max(0, kept - 1)).map((h) => h.entry)]) rmSync(join(dir, entry), { force: true })
  } catch {
    // an unreadable directory: nothing to prune
  }
}

/** Marks a cache file as used now (its modification time), which {@link pruneCodeCaches} keeps by. */
function markUsed(cacheFile: string): void {
  try {
    const now = new Date()
    utimesSync(cacheFile, now, now)
  } catch {
    // a read-only cache directory: it is only not marked
  }
}

/** Runs the CommonJS bundle `file` like `require` does, with the code cache in `cacheFile` when it is valid. */
export function loadWithCodeCache(file: string, cacheFile: string): CodeCacheLoad {
  // An ASCII file (the build makes its bundles so) is read as Latin-1: the same text as a one-byte string
  // at once, where decoding 4 MB of UTF-8 took 60-90 ms.
  const bytes = readFileSync(file)
  const source = (isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')).replace(/^#!.*/, '')
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: file, cachedData })
  const cached = cachedData !== undefined && !script.cachedDataRejected
  if (cached) markUsed(cacheFile)
  const module = { exports: {} as unknown }
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
  return {
    exports: module.exports,
    cached,
    save() {
      const tmp = `${cacheFile}.${process.pid}.tmp`
      try {
        mkdirSync(dirname(cacheFile), { recursive: true })
        writeFileSync(tmp, script.createCachedData())
        renameSync(tmp, cacheFile)
        pruneCodeCaches(cacheFile)
      } catch {
        try {
          rmSync(tmp, { force: true })
        } catch {
          // nothing more to do
        }
      }
    },
  }
}

/**
 * When `loaded` ran without a valid cache, writes it as the process exits and, with `afterMs`, that long
 * after now if the process is still running (once: the later one does nothing). A taken cache is left as is.
 * @example
 * saveIfUncached(loadWithCodeCache(bundle, cacheFile), 1_500)
 */
export function saveIfUncached(loaded: CodeCacheLoad, afterMs?: number): void {
  if (loaded.cached) return
  let saved = false
  const save = () => {
    if (!saved) loaded.save()
    saved = true
  }
  if (afterMs !== undefined) setTimeout(save, afterMs).unref()
  process.once('exit', save)
}

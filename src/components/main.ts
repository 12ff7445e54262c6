#!/usr/bin/env node
/**
 * Launcher of the lite OP Stack programs: `node dist/components/main.js <component> [config.json]`.
 *
 * With `DEVNET_CODE_CACHE` set to a directory (the runtimes set it) and the component's own CommonJS
 * bundle built beside this file (`programs/<component>.cjs`), it runs that bundle with V8's code cache for
 * the component, so each start deserializes compiled code instead of compiling it again. Node 20 has no
 * code cache for ES modules (`module.enableCompileCache` came in Node 22). Otherwise it loads the programs
 * as ES modules.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { codeCacheFile, loadWithCodeCache, saveIfUncached } from './shared/codeCache.js'

/**
 * How long after loading the program its code cache is written: its start has compiled what it runs by
 * then. A program stopped sooner (SIGTERM) writes it as it exits; a crash writes nothing.
 */
const SAVE_AFTER_MS = 1_500

const argv = process.argv.slice(2)
const cacheDir = process.env.DEVNET_CODE_CACHE
const bundle = argv[0] && /^[a-z0-9-]+$/.test(argv[0]) ? fileURLToPath(new URL(`./programs/${argv[0]}.cjs`, import.meta.url)) : undefined
const early = await earlyStart(argv)
if (cacheDir && bundle && existsSync(bundle)) {
  const loaded = loadWithCodeCache(bundle, codeCacheFile(cacheDir, argv[0]!, bundle))
  ;(loaded.exports as typeof import('./programs.js')).runProgram(argv, early)
  saveIfUncached(loaded, SAVE_AFTER_MS)
} else {
  import('./programs.js').then((m) => m.runProgram(argv, early))
}

/**
 * The rollup node's engine (anvil) is spawned before the programs load: loading them took 300-600 ms of a
 * devnet's start, with every service loading at once on two cores, and anvil waited for it. A config the
 * launcher cannot read is left to the program, which reports it.
 */
async function earlyStart(argv: string[]): Promise<EarlyStartOf> {
  if (argv[0] !== 'rollup-node') return {}
  const { spawnEngineFor } = await import('./rollup-node/engineAnvil.js')
  try {
    const engine = spawnEngineFor(argv.slice(1))
    engine.catch(() => {}) // the node's start awaits it and reports a failure
    return { engine }
  } catch {
    return {}
  }
}

type EarlyStartOf = import('./programs.js').EarlyStart

#!/usr/bin/env node
// The bundled command (`npm run build` writes it with esbuild) runs with V8's code cache, written when
// missing or rejected (another build or Node) as the command exits. The commands whose start a user waits
// on have their own (what `up` compiles is not what `status` does), the rest share one. Without a build,
// tsc's output runs.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const bundle = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url))
if (existsSync(bundle)) {
  const [{ join }, { loadWithCodeCache, saveIfUncached }, { codeCacheDir }] = await Promise.all([
    import('node:path'),
    import('../dist/components/shared/codeCache.js'),
    import('../dist/devnet/cacheDir.js'),
  ])
  const command = ['up', 'down', 'status', 'logs', 'fault', 'heal'].includes(process.argv[2] ?? '') ? process.argv[2] : 'other'
  const loaded = loadWithCodeCache(bundle, join(codeCacheDir(), `cli-${command}.bin`))
  saveIfUncached(loaded)
  process.exit(await loaded.exports.run(process.argv))
} else {
  await import('../dist/cli/index.js')
}

#!/usr/bin/env node
// The bundled command (`npm run build` writes it with esbuild) runs with V8's code cache, written when
// missing or rejected (another build or Node) as the command exits. The commands whose start a user waits
// on have their own (what `up` compiles is not what `status` does), the rest share one. `down`, `logs`, help
// and version run the light bundle, which holds none of the devnet machinery (a tenth of the size). Without
// a build, tsc's output runs.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const bundle = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url))
if (existsSync(bundle)) {
  const [{ codeCacheFile, loadWithCodeCache, saveIfUncached }, { codeCacheDir }] = await Promise.all([
    import('../dist/components/shared/codeCache.js'),
    import('../dist/devnet/cacheDir.js'),
  ])
  const arg = process.argv[2]
  const light = arg === 'down' || arg === 'logs' ? arg : [undefined, 'help', '--help', '-h', '--version', '-V'].includes(arg) ? 'help' : undefined
  const command = light ? `light-${light}` : ['up', 'status', 'fault', 'heal'].includes(arg ?? '') ? arg : 'other'
  const file = light ? bundle.replace(/cli\.cjs$/, 'cli-light.cjs') : bundle
  const loaded = loadWithCodeCache(file, codeCacheFile(codeCacheDir(), `cli-${command}`, file))
  saveIfUncached(loaded)
  process.exit(await loaded.exports.run(process.argv))
} else {
  await import('../dist/cli/index.js')
}

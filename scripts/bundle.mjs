#!/usr/bin/env node
/**
 * Bundles the two entry points after `tsc` (esbuild, ESM, one chunk per lazily loaded module), so a process
 * loads a few files instead of the thousands of modules of viem, libp2p and friends (measured here: about
 * 4x less CPU to load a rollup node or `devnet up`):
 * - `dist/components/main.js`, the lite component launcher, replaced by its bundle (chunks in
 *   `dist/components/chunks/`); each component still runs as its own process;
 * - `dist/components/programs.cjs`, the programs again as one CommonJS file, which the launcher runs with
 *   V8's code cache when the process runtime gives it a cache directory (Node 20 caches no ES module code);
 * - `dist/bundle/cli.cjs`, the `devnet` command as one CommonJS file, which `bin/devnet.js` runs with V8's
 *   code cache (one per subcommand) when it exists. It sits two levels under the package root like every
 *   `dist/<dir>/` module, and `import.meta.url` is its own file URL, so paths taken from it (package.json,
 *   fixtures, the launcher) resolve the same.
 * Without esbuild (it comes with the dev tools) the plain tsc output stays, which works the same, only
 * slower to start. Docker's client (native addons) and etcd's stay outside the bundle.
 */
import { rmSync } from 'node:fs'

let esbuild
try {
  esbuild = await import('esbuild')
} catch {
  console.warn('bundle: esbuild is not installed; keeping the unbundled entry points')
  process.exit(0)
}
const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  allowOverwrite: true,
  external: ['dockerode', 'etcd3', 'ssh2', 'cpu-features', '@grpc/grpc-js', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies call require() on node built-ins: give the ESM bundle one.
  banner: { js: "import { createRequire as __devnetRequire } from 'node:module'; const require = __devnetRequire(import.meta.url);" },
  logLevel: 'warning',
}
rmSync('dist/components/chunks', { recursive: true, force: true })
rmSync('dist/components/main.js.map', { force: true })
rmSync('dist/bundle', { recursive: true, force: true })
rmSync('dist/components/programs.cjs', { force: true })
const { banner, splitting, ...cjs } = common
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/components/main.ts'], outdir: 'dist/components', entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]' }),
  // The same programs as one CommonJS file, which the launcher runs with V8's code cache (see main.ts).
  esbuild.build({ ...cjs, format: 'cjs', entryPoints: ['src/components/programs.ts'], outfile: 'dist/components/programs.cjs' }),
  // The command, likewise: `bin/devnet.js` calls its `run` (src/cli/index.ts's top-level await stays out).
  esbuild.build({
    ...cjs,
    format: 'cjs',
    entryPoints: ['src/cli/program.ts'],
    outfile: 'dist/bundle/cli.cjs',
    define: { 'import.meta.url': '__devnetImportMetaUrl' },
    banner: { js: "const __devnetImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
])

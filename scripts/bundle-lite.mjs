#!/usr/bin/env node
/**
 * Bundles the lite component launcher after `tsc`: `dist/components/main.js` becomes one ESM entry with
 * a chunk per component in `dist/components/chunks/`, so a component loads a few files instead of the
 * thousands of modules of viem and libp2p (measured: about 4x less CPU to load a rollup node). Each
 * component still runs as its own process. Without esbuild (it comes with the dev tools) tsc's launcher
 * stays, which works the same, only slower to start.
 */
import { rmSync } from 'node:fs'

let esbuild
try {
  esbuild = await import('esbuild')
} catch {
  console.warn('bundle-lite: esbuild is not installed; keeping the unbundled dist/components/main.js')
  process.exit(0)
}
rmSync('dist/components/chunks', { recursive: true, force: true })
rmSync('dist/components/main.js.map', { force: true })
await esbuild.build({
  entryPoints: ['src/components/main.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/components',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  // CommonJS dependencies call require() on node built-ins: give the ESM bundle one.
  banner: { js: "import { createRequire as __devnetRequire } from 'node:module'; const require = __devnetRequire(import.meta.url);" },
  logLevel: 'warning',
})

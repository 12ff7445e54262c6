#!/usr/bin/env node
/**
 * Bundles the two entry points after `tsc` (esbuild, ESM, one chunk per lazily loaded module), so a process
 * loads a few files instead of the thousands of modules of viem, libp2p and friends (measured here: about
 * 4x less CPU to load a rollup node or `devnet up`):
 * - `dist/components/main.js`, the lite component launcher, replaced by its bundle (chunks in
 *   `dist/components/chunks/`); each component still runs as its own process;
 * - `dist/components/programs/<name>.cjs`, each program again as one CommonJS file holding only that
 *   program, which the launcher runs with V8's code cache when the runtime gives it a cache directory
 *   (Node 20 caches no ES module code); the program list is read from `src/components/programs.ts`;
 * - `dist/bundle/cli.cjs`, the `devnet` command as one CommonJS file, which `bin/devnet.js` runs with V8's
 *   code cache (one per subcommand) when it exists. It sits two levels under the package root like every
 *   `dist/<dir>/` module, and `import.meta.url` is its own file URL, so paths taken from it (package.json,
 *   fixtures, the launcher) resolve the same;
 * - `dist/bundle/cli-light.cjs`, the same command for what needs none of the devnet machinery (`down`,
 *   `logs`, help and version): the other commands' modules are left out (a stub that throws stands in for
 *   each), so it is a tenth of the size, and those commands read and deserialize that much less.
 * Without esbuild (it comes with the dev tools) the plain tsc output stays, which works the same, only
 * slower to start. Docker's client (native addons) and etcd's stay outside the bundle.
 *
 * The CommonJS files are pure ASCII (esbuild escapes strings already; what remains, in comments, is escaped
 * here), so the loader takes them as one-byte strings: decoding 4 MB of UTF-8 cost 60-90 ms of every start.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'

/** Written last: `dist/` is complete and newer than its sources (`scripts/build-if-stale.mjs`, npm test's build). */
const stamp = () => writeFileSync('dist/.build-stamp', `${new Date().toISOString()}\n`)

let esbuild
try {
  esbuild = await import('esbuild')
} catch {
  console.warn('bundle: esbuild is not installed; keeping the unbundled entry points')
  stamp()
  process.exit(0)
}
const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  allowOverwrite: true,
  // Native addons and etcd's client (it reads .proto files next to its modules) stay outside. Docker's client
  // goes in, but for the parts it loads eagerly and uses only for BuildKit sessions (gRPC) and ssh:// engines
  // (ssh2): see lazyDockerParts.
  external: ['etcd3', 'ssh2', 'cpu-features', '@grpc/grpc-js', 'bufferutil', 'utf-8-validate'],
  // CommonJS dependencies call require() on node built-ins: give the ESM bundle one.
  banner: { js: "import { createRequire as __devnetRequire } from 'node:module'; const require = __devnetRequire(import.meta.url);" },
  logLevel: 'warning',
}
rmSync('dist/components/chunks', { recursive: true, force: true })
rmSync('dist/components/main.js.map', { force: true })
rmSync('dist/bundle', { recursive: true, force: true })
rmSync('dist/components/programs.cjs', { force: true })
rmSync('dist/components/programs', { recursive: true, force: true })
const { banner, splitting, ...cjs } = common
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['src/components/main.ts'], outdir: 'dist/components', entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]' }),
  // Each program as one CommonJS file, which the launcher runs with V8's code cache (see main.ts): a process
  // reads and deserializes only its own program (the batcher's is a quarter of all of them).
  ...programs().map(([name, path]) => esbuild.build({
    ...cjs,
    format: 'cjs',
    stdin: {
      contents: `import { runLoaded } from './runProgram.js'\nexport function runProgram(argv, early) { runLoaded(${JSON.stringify(name)}, argv.slice(1), () => import(${JSON.stringify(path)}), early) }\n`,
      resolveDir: 'src/components',
      sourcefile: `programs/${name}.ts`,
      loader: 'ts',
    },
    outfile: `dist/components/programs/${name}.cjs`,
  })),
  // The command, likewise: `bin/devnet.js` calls its `run` (src/cli/index.ts's top-level await stays out).
  ...[['cli', []], ['cli-light', [lightOnly()]]].map(([name, plugins]) => esbuild.build({
    ...cjs,
    format: 'cjs',
    entryPoints: ['src/cli/program.ts'],
    outfile: `dist/bundle/${name}.cjs`,
    define: { 'import.meta.url': '__devnetImportMetaUrl' },
    banner: { js: "const __devnetImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [...plugins, lazyDockerParts()],
  })),
])
for (const file of [...programs().map(([name]) => `dist/components/programs/${name}.cjs`), 'dist/bundle/cli.cjs', 'dist/bundle/cli-light.cjs']) {
  writeFileSync(file, readFileSync(file, 'utf8').replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`))
}
stamp()

/**
 * For `cli-light.cjs`: the modules that only the other commands load (lazily), each replaced by a stub that
 * throws, so that `bin/devnet.js` giving it a command it does not serve fails loudly instead of half-working.
 */
function lightOnly() {
  const heavy = /\/commands\/(up|status|fault|compose|images|scenario|chaos)\.js$|\/faults\/registry\.js$|\/devnet\/heads\.js$/
  const stub = (path) => `throw new Error(${JSON.stringify(`internal: ${path} is not in cli-light.cjs; bin/devnet.js must run this command with cli.cjs`)})`
  return {
    name: 'light-only',
    setup(build) {
      build.onResolve({ filter: heavy }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'left-out' } : undefined))
      build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({ contents: stub(args.path), loader: 'js' }))
    },
  }
}

/**
 * dockerode requires its BuildKit session module (gRPC and protobuf, 100 modules) and docker-modem its ssh
 * transport (ssh2) when they load, though a devnet uses neither (classic builds, a unix socket): loading
 * them was two thirds of loading dockerode, 140 ms of CPU on every docker `up`, `status` and `down` before
 * anything started. Each becomes a function that requires the real module (left outside the bundle, from
 * node_modules) on its first call; both modules export one function.
 */
function lazyDockerParts() {
  const parts = [
    { importer: /[\\/]dockerode[\\/]lib[\\/]docker\.js$/, request: './session', module: 'dockerode/lib/session.js' },
    { importer: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/, request: './ssh', module: 'docker-modem/lib/ssh.js' },
  ]
  return {
    name: 'lazy-docker-parts',
    setup(build) {
      build.onResolve({ filter: /^\.\/(session|ssh)$/ }, (args) => {
        const part = parts.find((p) => p.request === args.path && p.importer.test(args.importer))
        return part ? { path: part.module, namespace: 'lazy-docker-part' } : undefined
      })
      build.onResolve({ filter: /^(dockerode\/lib\/session|docker-modem\/lib\/ssh)\.js$/ }, (args) => ({ path: args.path, external: true }))
      build.onLoad({ filter: /.*/, namespace: 'lazy-docker-part' }, (args) => ({
        contents: `module.exports = function () { return require(${JSON.stringify(args.path)}).apply(this, arguments) }\n`,
        loader: 'js',
      }))
    },
  }
}

/** The programs of `src/components/programs.ts`: `[name, module path]`, one per `name: () => import('path')` line. */
function programs() {
  const source = readFileSync('src/components/programs.ts', 'utf8')
  const found = [...source.matchAll(/^\s+'?([a-z0-9-]+)'?: \(\) => import\('(\.\/[^']+)'\),$/gm)].map((m) => [m[1], m[2]])
  if (found.length < 2) throw new Error(`bundle: no program list found in src/components/programs.ts (found ${found.length})`)
  return found
}

/**
 * The lite OP Stack programs by name, and `runProgram`, which runs one: `<component> [args...]`. Each
 * component is its own program (own process or container), like its official counterpart. The launcher
 * (`main.ts`) loads this module, or its CommonJS bundle with V8's code cache.
 */
import type { SpawnedEngine } from './rollup-node/engineAnvil.js'
import { WAIT_FOR_ENV, waitForDependencies } from './shared/dependencies.js'

/** What the launcher started before it loaded the programs (the rollup node's engine). */
export interface EarlyStart {
  engine?: Promise<SpawnedEngine>
}

interface Program {
  /** Runs the program; with `waitsItself`, `dependencies` resolves once the services it needs answer. */
  main(args: string[], dependencies?: Promise<void>, early?: EarlyStart): Promise<void>
  /** `main` awaits `dependencies` itself, after the work that needs none of them (the rollup node's engine). */
  waitsItself?: boolean
}

const components: Record<string, () => Promise<Program>> = {
  'rollup-node': () => import('./rollup-node/main.js'),
  batcher: () => import('./batcher/index.js'),
  challenger: () => import('./challenger/index.js'),
  proposer: () => import('./proposer/index.js'),
  conductor: () => import('./conductor/index.js'),
  proxyd: () => import('./proxyd/index.js'),
  links: () => import('./links/index.js'),
  bootnode: () => import('./bootnode/index.js'),
  'l1-clock': () => import('./l1-clock/index.js'),
}

/** Runs the program `argv[0]` with the rest as its arguments; a failure prints it and exits 1. */
export function runProgram(argv: string[], early: EarlyStart = {}): void {
  const [name, ...args] = argv
  const load = name ? components[name] : undefined
  if (!load) {
    console.error(`usage: main.js <${Object.keys(components).join('|')}> [config.json]`)
    process.exit(2)
  }
  // In a container whose links go through a link proxy (docker runtime without sch_netem), the proxy runs
  // in front of the component, in the same network namespace: `DEVNET_LINKS` holds its `LinksConfig`.
  const links = process.env.DEVNET_LINKS
  const proxyReady = links ? import('./links/index.js').then((m) => m.serveLinks(JSON.parse(links))) : Promise.resolve()
  // The services it needs (L1, `DEVNET_WAIT_FOR`) start beside it: wait for them while the program loads.
  const dependencies = proxyReady.then(() => waitForDependencies(process.env[WAIT_FOR_ENV]))
  dependencies.catch(() => {}) // awaited below
  proxyReady
    .then(load)
    .then(async (m) => {
      if (m.waitsItself) return m.main(args, dependencies, early)
      await dependencies
      return m.main(args)
    })
    .catch((err: unknown) => {
      console.error(`${name} failed:`, err instanceof Error ? (err.stack ?? err.message) : err)
      process.exit(1)
    })
}

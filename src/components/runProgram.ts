/**
 * Runs one lite program: waits for the services it needs (L1, `DEVNET_WAIT_FOR`) while its modules load,
 * then calls its `main`. Shared by `programs.ts` (every program, by name) and the one-program CommonJS
 * bundles `scripts/bundle.mjs` builds for the launcher's code cache: it names no program itself, so a
 * bundle holds only the program it runs.
 */
import type { SpawnedEngine } from './rollup-node/engineAnvil.js'
import { WAIT_FOR_ENV, waitForDependencies } from './shared/dependencies.js'
import { signalReady } from './shared/lifecycle.js'

/** What the launcher started before it loaded the programs (the rollup node's engine). */
export interface EarlyStart {
  engine?: Promise<SpawnedEngine>
}

export interface Program {
  /** Runs the program; with `waitsItself`, `dependencies` resolves once the services it needs answer. */
  main(args: string[], dependencies?: Promise<void>, early?: EarlyStart): Promise<void>
  /** `main` awaits `dependencies` itself, after the work that needs none of them (the rollup node's engine). */
  waitsItself?: boolean
}

/** Runs the program `name` that `load` loads, with `args`; a failure prints it and exits 1. */
export function runLoaded(name: string, args: string[], load: () => Promise<Program>, early: EarlyStart = {}): void {
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
    .then(signalReady) // every program's main resolves once it serves
    .catch((err: unknown) => {
      console.error(`${name} failed:`, err instanceof Error ? (err.stack ?? err.message) : err)
      process.exit(1)
    })
}

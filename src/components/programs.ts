/**
 * The lite OP Stack programs by name, and `runProgram`, which runs one: `<component> [args...]`. Each
 * component is its own program (own process or container), like its official counterpart. The launcher
 * (`main.ts`) loads this module, or the program's own CommonJS bundle with V8's code cache.
 */
import { runLoaded, type EarlyStart, type Program } from './runProgram.js'

export type { EarlyStart }

/**
 * Every program, by name. `scripts/bundle.mjs` reads this list (one `name: () => import('path')` per line)
 * to build each program's own CommonJS bundle.
 */
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
  if (!name || !load) {
    console.error(`usage: main.js <${Object.keys(components).join('|')}> [config.json]`)
    process.exit(2)
  }
  runLoaded(name, args, load, early)
}

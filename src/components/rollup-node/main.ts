/**
 * `rollup-node <config.json>`, the program: the engine (anvil) is spawned first (by the launcher, before it
 * loads the programs) and the node's modules load while anvil starts (and L1, which the node needs, starts beside it), then runs the node until SIGTERM /
 * SIGINT.
 */
import { readFileSync } from 'node:fs'
import type { RollupNodeConfig } from './config.js'
import { spawnEngineFor, type SpawnedEngine } from './engineAnvil.js'
import { stopOnSignals } from '../shared/lifecycle.js'

/** The engine starts and the node's modules load before L1 answers: the launcher leaves the wait to {@link main}. */
export const waitsItself = true

/**
 * Runs the node; `dependencies` resolves once L1 answers (the launcher's wait). `early.engine`: the engine
 * the launcher spawned before it loaded the programs, else the node spawns it here.
 */
export async function main(args: string[], dependencies: Promise<void> = Promise.resolve(), early: { engine?: Promise<SpawnedEngine> } = {}): Promise<void> {
  const conf = JSON.parse(readFileSync(args[0] ?? 'config.json', 'utf8')) as RollupNodeConfig
  const engine = early.engine ?? spawnEngineFor(args)
  engine.catch(() => {}) // the node's start awaits it and reports a failure
  let running
  try {
    const { startRollupNode } = await import('./index.js')
    await dependencies
    running = await startRollupNode(conf, process.cwd(), { engine })
  } catch (err) {
    // A start that failed before the engine was the node's leaves its anvil to us (killing it twice is harmless).
    await engine.then(({ child }) => child.kill('SIGKILL'), () => {})
    throw err
  }
  stopOnSignals(() => running.stop())
}

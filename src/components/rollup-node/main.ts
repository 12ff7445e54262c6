/**
 * `rollup-node <config.json>`, the program: it spawns the engine (anvil) first and loads the node's modules
 * while anvil starts (and L1, which the node needs, starts beside it), then runs the node until SIGTERM /
 * SIGINT.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { RollupNodeConfig } from './config.js'
import { spawnEngineAnvil } from './engineAnvil.js'
import { stopOnSignals } from '../shared/lifecycle.js'

/** The engine starts and the node's modules load before L1 answers: the launcher leaves the wait to {@link main}. */
export const waitsItself = true

/** Runs the node; `dependencies` resolves once L1 answers (the launcher's wait). */
export async function main(args: string[], dependencies: Promise<void> = Promise.resolve()): Promise<void> {
  const file = args[0] ?? 'config.json'
  const conf = JSON.parse(readFileSync(file, 'utf8')) as RollupNodeConfig
  const engine = spawnEngineAnvil(process.env.DEVNET_ANVIL_BIN ?? 'anvil', resolve(conf.l2Genesis))
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

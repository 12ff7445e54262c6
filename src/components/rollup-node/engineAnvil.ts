/**
 * The rollup node's execution engine process: anvil holding the L2 genesis. Imports nothing heavy, so the
 * program (`main.ts`) spawns it before the node's own modules load, and the two overlap.
 */
import type { ChildProcess } from 'node:child_process'
import { spawnAnvil } from '../shared/anvil.js'

/** A started engine anvil and the loopback port it listens on. */
export interface SpawnedEngine {
  child: ChildProcess
  port: number
}

/** Spawns anvil with the L2 genesis and resolves with its port once it listens. */
export function spawnEngineAnvil(anvilBin: string, genesisFile: string): Promise<SpawnedEngine> {
  return spawnAnvil(anvilBin, ['--init', genesisFile, '--network', 'optimism', '--no-mining', '--order', 'fifo', '--no-request-size-limit'])
}

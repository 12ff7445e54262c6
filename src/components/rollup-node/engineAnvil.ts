/**
 * The rollup node's execution engine process: anvil holding the L2 genesis. Imports nothing heavy, so the
 * program (`main.ts`) spawns it before the node's own modules load, and the two overlap.
 */
import { spawnAnvil, type SpawnedAnvil } from '../shared/anvil.js'

/** A started engine anvil, the loopback port it listens on, and its stderr tail. */
export type SpawnedEngine = SpawnedAnvil

/** Spawns anvil with the L2 genesis and resolves with its port once it listens. */
export function spawnEngineAnvil(anvilBin: string, genesisFile: string): Promise<SpawnedEngine> {
  return spawnAnvil(anvilBin, ['--init', genesisFile, '--network', 'optimism', '--no-mining', '--order', 'fifo', '--no-request-size-limit'])
}

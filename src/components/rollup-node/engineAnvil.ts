/**
 * The rollup node's execution engine process: anvil holding the L2 genesis. Imports nothing heavy, so the
 * program (`main.ts`) spawns it before the node's own modules load, and the two overlap.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { spawnAnvil, type SpawnedAnvil } from '../shared/anvil.js'
import type { RollupNodeConfig } from './config.js'

/** A started engine anvil, the loopback port it listens on, and its stderr tail. */
export type SpawnedEngine = SpawnedAnvil

/** Spawns anvil with the L2 genesis and resolves with its port once it listens. */
export function spawnEngineAnvil(anvilBin: string, genesisFile: string): Promise<SpawnedEngine> {
  return spawnAnvil(anvilBin, ['--init', genesisFile, '--network', 'optimism', '--no-mining', '--order', 'fifo', '--no-request-size-limit'])
}

/**
 * The engine of `rollup-node <config.json>` (the genesis file its config names, relative to the working
 * directory). The launcher calls it before it loads the programs: see `main.ts`.
 */
export function spawnEngineFor(args: string[], anvilBin = process.env.DEVNET_ANVIL_BIN ?? 'anvil'): Promise<SpawnedEngine> {
  const conf = JSON.parse(readFileSync(args[0] ?? 'config.json', 'utf8')) as Pick<RollupNodeConfig, 'l2Genesis'>
  return spawnEngineAnvil(anvilBin, resolve(conf.l2Genesis))
}

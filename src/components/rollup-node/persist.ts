/**
 * The node's on-disk state, as op-geth's database and op-node's forkchoice are on a real node: one
 * JSON file holding the engine's state dump (`anvil_dumpState`, blocks and latest state, no historical
 * states) and the rollup node's heads and safe records taken at the same instant. The file is written
 * to a temporary name and renamed, so a crash (SIGKILL) at any point leaves the previous or the new
 * snapshot, never a torn one; blocks built after the last snapshot are re-fetched (gossip, L1).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Hex } from 'viem'
import type { L2BlockRef } from '../../protocol/types.js'
import type { SafeRecord } from './derivation.js'

/** File name of the snapshot inside the node's data directory. */
export const SNAPSHOT_FILE = 'node-state.json'
const VERSION = 1

export interface NodeSnapshot {
  version: typeof VERSION
  /** Hash of the engine's genesis block: a snapshot of another chain is never loaded. */
  genesisL2: Hex
  finalized: L2BlockRef
  /** Safe blocks and the L1 blocks they were derived from, from the finalized head up. */
  records: SafeRecord[]
  /** `anvil_dumpState` of the engine (hex of gzipped JSON). */
  engineState: Hex
}

/** Path of the snapshot file in `dataDir`. */
export function snapshotPath(dataDir: string): string {
  return join(dataDir, SNAPSHOT_FILE)
}

/**
 * Reads the snapshot in `dataDir`; `undefined` when there is none. A file that cannot be parsed is
 * reported through `onBad` and ignored (the node then starts cold, as op-geth would on a fresh datadir).
 */
export function readSnapshot(dataDir: string, onBad: (reason: string) => void): NodeSnapshot | undefined {
  let text: string
  try {
    text = readFileSync(snapshotPath(dataDir), 'utf8')
  } catch {
    return undefined
  }
  try {
    const s = JSON.parse(text) as NodeSnapshot
    if (s.version !== VERSION) throw new Error(`version ${String(s.version)}, expected ${VERSION}`)
    if (typeof s.engineState !== 'string' || !s.engineState.startsWith('0x')) throw new Error('engineState: expected hex')
    if (!Array.isArray(s.records) || typeof s.finalized?.hash !== 'string' || typeof s.genesisL2 !== 'string') throw new Error('heads missing')
    return s
  } catch (err) {
    onBad(`${snapshotPath(dataDir)}: ${(err as Error).message}`)
    return undefined
  }
}

/** Writes the snapshot atomically (temporary file + rename in the same directory). */
export async function writeSnapshot(dataDir: string, snapshot: NodeSnapshot): Promise<void> {
  const file = snapshotPath(dataDir)
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  await writeFile(tmp, JSON.stringify(snapshot))
  await rename(tmp, file)
}

/** Deletes the snapshot (a cold start after a snapshot the engine could not use). */
export function removeSnapshot(dataDir: string): void {
  rmSync(snapshotPath(dataDir), { force: true })
}

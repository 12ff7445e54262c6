/**
 * The node's on-disk state, as op-geth's database and op-node's forkchoice are on a real node: one
 * JSON file holding the engine's state dump (`anvil_dumpState`, blocks and latest state, no historical
 * states) and the rollup node's heads and safe records taken at the same instant. The file is written
 * to a temporary name and renamed, so a crash (SIGKILL) at any point leaves the previous or the new
 * snapshot, never a torn one; blocks built after the last snapshot are re-fetched (gossip, L1).
 *
 * Beside the latest snapshot the node keeps a `floor` one, whose engine head is at or below the finalized
 * head, and the `pending` candidate that becomes the next floor once finality passes it (see
 * persistence.ts): a dump holds no historical states, so only blocks built after a load can be rolled
 * back or proven, and a resume rebuilds the blocks above the floor.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { copyFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Hex } from 'viem'
import type { L2BlockRef } from '../../protocol/types.js'
import type { SafeRecord } from './derivation.js'

/** File name of the (latest) snapshot inside the node's data directory. */
export const SNAPSHOT_FILE = 'node-state.json'
const VERSION = 1

/** Which snapshot: the latest, the floor (engine head at or below finalized) or the floor's candidate. */
export type SnapshotKind = 'latest' | 'floor' | 'pending'
const KINDS: SnapshotKind[] = ['latest', 'floor', 'pending']

export interface NodeSnapshot {
  version: typeof VERSION
  /** Hash of the engine's genesis block: a snapshot of another chain is never loaded. */
  genesisL2: Hex
  finalized: L2BlockRef
  /** Safe blocks and the L1 blocks they were derived from, from the finalized head up. */
  records: SafeRecord[]
  /** `anvil_dumpState` of the engine (hex of gzipped JSON). */
  engineState: Hex
  /** The engine head when the state was dumped (absent in snapshots written before floors existed). */
  head?: { number: number; hash: Hex }
}

/** Path of the snapshot file of kind `kind` in `dataDir`. */
export function snapshotPath(dataDir: string, kind: SnapshotKind = 'latest'): string {
  return join(dataDir, kind === 'latest' ? SNAPSHOT_FILE : SNAPSHOT_FILE.replace('.json', `.${kind}.json`))
}

/**
 * Reads the snapshot in `dataDir`; `undefined` when there is none. A file that cannot be parsed is
 * reported through `onBad` and ignored (the node then starts cold, as op-geth would on a fresh datadir).
 */
export function readSnapshot(dataDir: string, onBad: (reason: string) => void, kind: SnapshotKind = 'latest'): NodeSnapshot | undefined {
  let text: string
  try {
    text = readFileSync(snapshotPath(dataDir, kind), 'utf8')
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
    onBad(`${snapshotPath(dataDir, kind)}: ${(err as Error).message}`)
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

/** Copies the latest snapshot to `kind` (atomically, as {@link writeSnapshot}). */
export async function copySnapshot(dataDir: string, kind: Exclude<SnapshotKind, 'latest'>): Promise<void> {
  const file = snapshotPath(dataDir, kind)
  await copyFile(snapshotPath(dataDir), `${file}.tmp`)
  await rename(`${file}.tmp`, file)
}

/** Renames snapshot `from` to `to`, replacing it. */
export async function moveSnapshot(dataDir: string, from: SnapshotKind, to: SnapshotKind): Promise<void> {
  await rename(snapshotPath(dataDir, from), snapshotPath(dataDir, to))
}

/** Deletes snapshot `kind`, or all of them (a cold start after a snapshot the engine could not use). */
export function removeSnapshot(dataDir: string, kind?: SnapshotKind): void {
  for (const k of kind ? [kind] : KINDS) rmSync(snapshotPath(dataDir, k), { force: true })
}

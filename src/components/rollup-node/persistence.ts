/**
 * Crash safety of a lite node: periodic snapshots of the engine and the heads (see persist.ts), and
 * the resume from one after a crash, stop or restart.
 *
 * Snapshot cadence (measured on the 2-core dev VM, 3 transfers a block): `anvil_dumpState` takes about
 * 10 ms at 100 blocks, 50-80 ms at 500, 85 ms at 1000 and 225 ms at 2000 (it grows with the chain), so
 * a dump after every block would cost a growing share of a core. A snapshot follows every change of the
 * heads past genesis, no sooner than {@link MIN_SNAPSHOT_INTERVAL_MS} and {@link COST_FACTOR} times the
 * recent dumps' duration after the previous one (`snapshotWait`): at most 1/20 of the time goes to dumps
 * however long the chain, so a devnet left running does not spend more CPU by the hour (a cap of 2 s
 * between snapshots did: on a plain anvil a dump takes 88 ms at 3600 empty blocks, an hour at 1 s blocks,
 * and 301 ms at 10800, more with transactions). One is written at every graceful stop, and one before each new finalized
 * head is published (so a crash never takes finalization back): that one writes the latest dump again with
 * the new head when the dump holds it (`saveFinalized`), and dumps only when it does not. A SIGKILL loses
 * the unsafe and safe blocks after the last snapshot; the node gets them again from gossip or L1, as
 * op-node does for blocks op-geth had not flushed.
 *
 * A dump holds the blocks and the head state only, so after a load anvil can neither roll back below the
 * loaded head nor answer `eth_getProof` (output roots) below it, where op-geth could do both. The node
 * therefore keeps a floor snapshot whose head is at or below the finalized head (the pending candidate is
 * promoted once finality passes it) and resumes from it: it loads the latest snapshot, reads the blocks
 * above the floor's head, loads the floor into a fresh engine and builds those blocks again (checking
 * every hash). The engine then holds the states of every block a reorg can reach, as op-geth does. Found
 * by a 30-minute chaos run: a sequencer restarted after an outage had to roll back to its finalized head,
 * below the block it loaded, and fell back to a cold start from genesis (its finalized head moved back).
 */
import type { Hex } from 'viem'
import type { L2BlockRef, RollupConfig } from '../../protocol/types.js'
import type { SafeRecord } from './derivation.js'
import { replayBlocks, type Engine, type RpcBlock } from './engine.js'
import type { L1Source } from './l1.js'
import { copySnapshot, moveSnapshot, readSnapshot, removeSnapshot, writeSnapshot, type NodeSnapshot } from './persist.js'
import type { Logger } from '../shared/log.js'

/** Minimum time between two snapshots, ms. */
export const MIN_SNAPSHOT_INTERVAL_MS = 250
/** A snapshot waits at least this many times the recent dumps' duration after the previous one. */
export const COST_FACTOR = 20

/**
 * The wait after a snapshot before the next one, given the durations of the last dumps (up to two): the
 * shorter counts, so one dump slowed by a busy moment does not hold the next back for long, while a chain
 * that grew (every dump longer) or a machine that stays loaded spaces them out.
 * @example snapshotWait([40, 300]) // 800
 */
export function snapshotWait(dumpMs: readonly number[]): number {
  return Math.max(MIN_SNAPSHOT_INTERVAL_MS, COST_FACTOR * (dumpMs.length ? Math.min(...dumpMs) : 0))
}

/** A resume rebuilds at most this many blocks above the floor; with more it keeps the latest dump alone. */
export const MAX_REPLAY_BLOCKS = 2000

export interface PersistenceHost {
  readonly cfg: RollupConfig
  readonly engine: Engine
  readonly l1: L1Source
  readonly log: Logger
  readonly unsafe: L2BlockRef
  readonly safe: L2BlockRef
  readonly finalized: L2BlockRef
  readonly derivation: { readonly records: SafeRecord[] }
}

/** Where a resumed node starts: the engine head, the finalized head and the safe records it can trust. */
export interface Resumed {
  head: RpcBlock
  finalized: L2BlockRef
  records: SafeRecord[]
  /** What the resume did above the floor: rebuilt `replayed` blocks on `floor`, or `kept` the latest dump alone (why). */
  rebuild: Rebuild
}

/** Outcome of rebuilding the blocks above the floor snapshot at a resume. */
export interface Rebuild {
  floor?: number
  replayed?: number
  kept?: string
}

export class Persistence {
  private lastAt = 0
  /** How long the last two full saves took, ms. */
  private dumpMs: number[] = []
  private lastKey = ''
  /** The engine dump of the latest snapshot and the engine head it holds, for `saveFinalized`. */
  private lastDump: { engineState: Hex; head: { number: number; hash: Hex } } | undefined
  /** Head of the pending snapshot (the next floor), if one is on disk. */
  private pending: { number: number; hash: Hex } | undefined

  constructor(
    readonly dataDir: string,
    private readonly host: PersistenceHost,
    private readonly maxReplayBlocks = MAX_REPLAY_BLOCKS,
  ) {}

  /**
   * Loads the snapshot of this chain (genesis `genesisL2`) into the engine and returns the heads to
   * resume from, reconciled with what the engine holds: records above the engine head are dropped, and
   * a finalized head the engine lacks or whose L1 origin is gone falls back to genesis.
   */
  async resume(genesisL2: Hex): Promise<Resumed | undefined> {
    const { engine, log, l1 } = this.host
    const snap = readSnapshot(this.dataDir, (reason) => log.warn('ignoring unreadable snapshot: cold start', { reason }))
    if (!snap) return undefined
    if (snap.genesisL2 !== genesisL2) {
      log.warn('ignoring snapshot of another chain: cold start', { snapshotGenesis: snap.genesisL2, genesis: genesisL2 })
      this.discard()
      return undefined
    }
    const t0 = Date.now()
    await engine.loadState(snap.engineState)
    const rebuild = await this.rebuildAboveFloor(snap, genesisL2)
    const head = await engine.head()
    const headNumber = Number(head.number)
    const onEngine = async (ref: L2BlockRef) => ref.number <= headNumber && (await engine.blockByNumber(ref.number))?.hash === ref.hash
    let finalized = snap.finalized
    if (!(await onEngine(finalized)) || !(await l1.isCanonical(finalized.l1origin))) {
      log.warn('persisted finalized head is not on the engine or its L1 origin is gone: finality restarts at genesis', { finalized: finalized.number })
      finalized = (await engine.refByNumber(this.host.cfg.genesis.l2.number))!
    }
    const records = snap.records.filter((r) => r.l2.number <= headNumber && r.l2.number >= finalized.number)
    log.info('resumed from snapshot', { head: headNumber, finalized: finalized.number, records: records.length, ...rebuild, loadMs: Date.now() - t0 })
    return { head, finalized, records, rebuild }
  }

  /**
   * With `latest` loaded in the engine: loads the floor snapshot (genesis when there is none) into a fresh
   * engine and builds the blocks above it again. Keeps `latest` alone when the floor is not on its chain,
   * the replay is longer than `maxReplayBlocks` or a rebuilt block differs. Returns what it did.
   */
  private async rebuildAboveFloor(latest: NodeSnapshot, genesisL2: Hex): Promise<Rebuild> {
    const { engine, log, cfg } = this.host
    removeSnapshot(this.dataDir, 'pending')
    let floor = readSnapshot(this.dataDir, (reason) => log.warn('ignoring unreadable floor snapshot', { reason }), 'floor')
    if (floor && (floor.genesisL2 !== genesisL2 || !floor.head)) floor = undefined
    const base = floor?.head ?? { number: cfg.genesis.l2.number, hash: genesisL2 }
    const headNumber = Number((await engine.head()).number)
    if (headNumber <= base.number) return { kept: 'nothing above the floor' }
    if (headNumber - base.number > this.maxReplayBlocks) return { kept: `${headNumber - base.number} blocks above the floor` }
    if ((await engine.blockByNumber(base.number))?.hash !== base.hash) {
      log.warn('floor snapshot is not on the latest chain: ignored', { floor: base.number })
      removeSnapshot(this.dataDir, 'floor')
      return { kept: 'floor not on the chain' }
    }
    const blocks = await replayBlocks(engine.rpc, base.number + 1, headNumber)
    await engine.restartCold()
    if (floor) await engine.loadState(floor.engineState)
    try {
      await engine.replay(blocks)
      return { floor: base.number, replayed: blocks.length }
    } catch (err) {
      log.warn('rebuilding the blocks above the floor failed: resuming on the latest snapshot alone', { err: (err as Error).message })
      await engine.restartCold()
      await engine.loadState(latest.engineState)
      return { kept: 'replay failed' }
    }
  }

  /** Takes a snapshot if the heads moved and the cadence allows it. */
  async maybeSave(now: number): Promise<void> {
    if (now - this.lastAt < snapshotWait(this.dumpMs)) return
    const { unsafe, safe, finalized, cfg } = this.host
    if (unsafe.number === cfg.genesis.l2.number || this.key(unsafe, safe, finalized) === this.lastKey) return
    await this.save()
  }

  /** Writes a snapshot of the engine and the heads now; `finalized` is the head about to be finalized, if any. */
  async save(finalized = this.host.finalized): Promise<void> {
    const { unsafe, safe, engine } = this.host
    const t0 = Date.now()
    const dump = { engineState: await engine.dumpState(), head: { number: unsafe.number, hash: unsafe.hash } }
    await this.write(finalized, dump)
    this.lastDump = dump
    this.lastAt = Date.now()
    this.dumpMs = [...this.dumpMs.slice(-1), this.lastAt - t0]
    this.lastKey = this.key(unsafe, safe, finalized)
  }

  /**
   * Makes `finalized` durable before the node publishes it. When the latest dump holds that block (its
   * head is at or above it, and the engine still has that head: no reorg replaced it), the snapshot is
   * written again with the new finalized head and the same dump, without dumping the engine; otherwise a
   * full `save`. Finality moves every few L1 blocks, and a full dump each time grew with the chain.
   */
  async saveFinalized(finalized: L2BlockRef): Promise<void> {
    const d = this.lastDump
    if (!d || d.head.number < finalized.number || (await this.host.engine.blockByNumber(d.head.number))?.hash !== d.head.hash) return this.save(finalized)
    await this.write(finalized, d)
  }

  /** Writes the latest snapshot (the node's safe records now, `finalized`, the engine `dump`) and moves the floor on. */
  private async write(finalized: L2BlockRef, dump: { engineState: Hex; head: { number: number; hash: Hex } }): Promise<void> {
    const { derivation, cfg } = this.host
    const records = derivation.records.map((r) => ({ ...r }))
    await writeSnapshot(this.dataDir, { version: 1, genesisL2: cfg.genesis.l2.hash, finalized, records, ...dump })
    await this.advanceFloor(dump.head, finalized)
  }

  /**
   * Promotes the pending snapshot to floor once `finalized` reached its head on the same chain (one that
   * an unsafe reorg replaced is dropped), then makes the latest snapshot (head `head`) the new pending one.
   */
  private async advanceFloor(head: { number: number; hash: Hex }, finalized: L2BlockRef): Promise<void> {
    const p = this.pending
    if (p && p.number <= finalized.number) {
      const canonical = (await this.host.engine.blockByNumber(p.number))?.hash === p.hash
      if (canonical) await moveSnapshot(this.dataDir, 'pending', 'floor')
      else removeSnapshot(this.dataDir, 'pending')
      this.pending = undefined
    }
    if (!this.pending) {
      await copySnapshot(this.dataDir, 'pending')
      this.pending = head
    }
  }

  /** Deletes the snapshots (before a cold start). */
  discard(): void {
    removeSnapshot(this.dataDir)
    this.lastKey = ''
    this.pending = undefined
    this.lastDump = undefined
  }

  private key(unsafe: L2BlockRef, safe: L2BlockRef, finalized: L2BlockRef): string {
    return `${unsafe.hash}/${safe.hash}/${finalized.hash}`
  }
}

/**
 * op-node's safe DB (`--safedb.path`): for each L1 block derivation processed, the safe head it
 * produced, kept on disk across restarts so `optimism_safeHeadAtL1Block` answers for games created
 * before a crash (op-challenger asks it for every game's L1 head; a node that forgot those answers "not
 * found" for them forever).
 *
 * The lite node keeps the records above its finalized head in its snapshot (they may still reorg) and
 * the finalized ones here, as an append-only JSON-lines file: a finalized record never changes, so an
 * append is all a finalization step writes. A line torn by a SIGKILL is skipped on load. The file is
 * rewritten (temporary file + rename) when it holds twice the records kept.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SafeRecord } from './derivation.js'

/** File name of the safe DB inside the node's data directory. */
export const SAFE_DB_FILE = 'safedb.jsonl'
/** Finalized records kept (memory and disk); older ones are forgotten. */
export const SAFE_DB_LIMIT = 10_000

export class SafeDb {
  /** Finalized records, oldest first. */
  readonly records: SafeRecord[] = []
  private lines = 0

  /** `dataDir` undefined keeps the records in memory only (a node without a data dir). */
  constructor(private readonly dataDir: string | undefined) {}

  private get file(): string | undefined {
    return this.dataDir && join(this.dataDir, SAFE_DB_FILE)
  }

  /** Loads the records on disk below `finalizedNumber` (the finalized head the node resumed at). */
  load(finalizedNumber: number): void {
    const file = this.file
    if (!file) return
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      return
    }
    const loaded: SafeRecord[] = []
    for (const line of text.split('\n')) {
      if (!line) continue
      try {
        const r = JSON.parse(line) as SafeRecord
        if (typeof r.l2?.number === 'number' && typeof r.derivedFrom?.number === 'number' && r.l2.number < finalizedNumber) loaded.push(r)
      } catch {
        // a line torn by a crash mid-append
      }
    }
    this.records.splice(0, this.records.length, ...loaded.slice(-SAFE_DB_LIMIT))
    this.rewrite()
  }

  /** Appends newly finalized records (oldest first). */
  add(records: SafeRecord[]): void {
    if (!records.length) return
    this.records.push(...records)
    const file = this.file
    if (file) {
      mkdirSync(this.dataDir!, { recursive: true })
      appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''))
      this.lines += records.length
    }
    if (this.records.length > SAFE_DB_LIMIT) this.records.splice(0, this.records.length - SAFE_DB_LIMIT)
    if (this.lines > 2 * SAFE_DB_LIMIT) this.rewrite()
  }

  /** Forgets every record (a cold start: the finalized chain itself is being replaced). */
  clear(): void {
    this.records.length = 0
    if (this.file) rmSync(this.file, { force: true })
    this.lines = 0
  }

  private rewrite(): void {
    const file = this.file
    if (!file) return
    mkdirSync(this.dataDir!, { recursive: true })
    writeFileSync(`${file}.tmp`, this.records.map((r) => `${JSON.stringify(r)}\n`).join(''))
    renameSync(`${file}.tmp`, file)
    this.lines = this.records.length
  }
}

/**
 * The recorded history of a scenario run: every sample of every node's sync status, the L1 head,
 * cross-node checks and every event (steps, faults). Invariants are pure functions of it; reports
 * render it. Times are milliseconds since the run started.
 */
import type { L1BlockRef, L2BlockRef } from '../protocol/types.js'

/** One `optimism_syncStatus` of one node (only the fields invariants use). */
export interface NodeSample {
  t: number
  node: string
  unsafe: L2BlockRef
  safe: L2BlockRef
  finalized: L2BlockRef
  /** L1 block the node's derivation last processed. */
  currentL1: L1BlockRef
  headL1: L1BlockRef
  finalizedL1: L1BlockRef
  /** `admin_sequencerActive` at that time. */
  sequencerActive: boolean
  /**
   * Unsafe reorgs of this node seen by the recorder so far: the unsafe head moved back, or the block at
   * the previously sampled unsafe height changed hash.
   */
  unsafeReorgs?: number
}

/** L1 as seen directly from the L1 RPC. */
export interface L1Sample {
  t: number
  head: L1BlockRef
  safe: L1BlockRef
  finalized: L1BlockRef
}

/** Block hashes of several nodes at one height (taken at or below their common safe head). */
export interface AgreementSample {
  t: number
  number: number
  hashes: Record<string, string>
}

/** An output root as a node reports it and as recomputed from `eth_getProof` plus the block. */
export interface OutputSample {
  t: number
  node: string
  number: number
  reported: string
  recomputed: string
  /** Hash of the block the output is for; when both samples have it, nodes are compared block by block. */
  blockHash?: string
}

/** A user deposit seen on L1: a `TransactionDeposited` log of the portal (kept after a reorg removes it). */
export interface L1Deposit {
  /** When the recorder first saw it. */
  t: number
  /** The L1 block holding the log. */
  l1: { number: number; hash: string }
  logIndex: number
  /** Hash of the L2 deposit transaction (from its source hash, which names the L1 block and log). */
  l2Hash: string
}

/** Where one node has a deposit, recorded when it changes: the L2 block holding it, or `null` (not on its chain). */
export interface DepositObservation {
  t: number
  node: string
  l2Hash: string
  block: { number: number; hash: string } | null
}

/** Deposits: what L1 holds and what each node's L2 holds. */
export interface DepositHistory {
  /** The rollup's sequencing window, in L1 blocks (`seq_window_size`). */
  seqWindowSize: number
  l1: L1Deposit[]
  onL2: DepositObservation[]
}

export type EventKind = 'step-start' | 'step-end' | 'fault-start' | 'fault-end' | 'expect-pass' | 'expect-fail' | 'note'

export interface HistoryEvent {
  t: number
  kind: EventKind
  /** Fault name (`l1Reorg`, `partition`, ...) or step label. */
  name: string
  /** Services the event is about, if any. */
  targets?: string[]
  /** Parameters or details, JSON-serialisable. */
  details?: Record<string, unknown>
  /**
   * On `fault-start`: `window` (lasts until a `fault-end` with the same name and an overlapping target)
   * or `instant` (its `fault-end` follows its action). Absent: a window.
   */
  lasts?: 'instant' | 'window'
  /** On `fault-end`: the recovery that closed the window (`start`, `heal`, ...), when another fault did. */
  by?: string
}

export interface History {
  scenario: string
  runtime: 'process' | 'docker'
  /** Wall clock (ms since epoch) at t = 0. */
  startedAt: number
  /** Rollup node names, sequencer first. */
  nodes: string[]
  samples: NodeSample[]
  l1: L1Sample[]
  agreement: AgreementSample[]
  outputs: OutputSample[]
  events: HistoryEvent[]
  /** Canonical L1 hashes by number, fetched once L1 settled at the end of the run (for origin checks). */
  l1Canonical: Record<number, string>
  /** User deposits on L1 and on each node's L2 (absent: not recorded). */
  deposits?: DepositHistory
}

export interface Violation {
  invariant: string
  t: number
  /** The node the violation is about, if it is about one. */
  node?: string
  message: string
  /** The offending samples or events, quoted in reports. */
  evidence: unknown[]
}

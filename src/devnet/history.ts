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

/** A conductor's view at one time (devnets with `l2.conductor`). */
export interface ConductorSample {
  t: number
  /** The node the conductor is beside. */
  node: string
  leader: boolean
  active: boolean
  healthy: boolean
  /** `conductor_leaderOverridden`. */
  overridden: boolean
}

/**
 * A block someone vouched for at one height: sealed by a node while its sequencer was active
 * (`sequenced`, `by` the node), or the head a conductor holds as committed (`committed`, `by` the node
 * beside it).
 */
export interface BlockClaim {
  t: number
  number: number
  hash: string
  by: string
  via: 'sequenced' | 'committed'
}

/** One dispute game of the DisputeGameFactory as L1 shows it, sampled whenever it changed. */
export interface GameSample {
  t: number
  /** Factory index. */
  index: number
  address: string
  gameType: number
  /** The proposed L2 block. */
  l2Block: number
  rootClaim: string
  /** The output root at `l2Block` from the sequencer's rollup node, once it had the block safe. */
  honestRoot?: string
  status: 'IN_PROGRESS' | 'CHALLENGER_WINS' | 'DEFENDER_WINS'
  /** L1 timestamps, seconds. */
  createdAt: number
  resolvedAt?: number
  /** Claims in the game (the root included). */
  claims: number
  /** Whether some claim counters the root. */
  rootCountered: boolean
}

/** proxyd as the recorder sees it: its latest block for clients and its metrics. */
export interface ProxydSample {
  t: number
  /** `eth_blockNumber` through proxyd (its consensus latest). */
  latest: number
  /** `proxyd_group_consensus_count`: backends serving in its consensus group. */
  group: number
  /** `proxyd_rpc_forwards_total` per backend (summed over methods). */
  forwards: Record<string, number>
  /** Times the recorder saw `latest` go back, so far. */
  backsteps: number
}

/** One JSON-RPC call a scenario's client (a load step) made, successful or not. */
export interface ClientCall {
  /** When it was sent. */
  t: number
  /** How long it took (chain ms, like every time in the history). */
  durationMs: number
  /** The service called: `proxyd`, or a node (its L2 RPC). */
  via: string
  method: string
  /** Why it failed (transport error or JSON-RPC error); absent when it succeeded. */
  error?: string
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
  /** Devnet clock speed: every `t` is chain ms since `startedAt` (wall elapsed × speed). Absent: 1. */
  speed?: number
  /** Rollup node names, sequencer first. */
  nodes: string[]
  samples: NodeSample[]
  l1: L1Sample[]
  agreement: AgreementSample[]
  outputs: OutputSample[]
  /** Dispute games (devnets with settlement contracts): a sample per game whenever it changed. */
  games?: GameSample[]
  events: HistoryEvent[]
  /** proxyd's samples (absent without proxyd or when it did not answer). */
  proxyd: ProxydSample[]
  /** Every call of the scenario's clients (load steps), in sending order. */
  clients: ClientCall[]
  /** Canonical L1 hashes by number, fetched once L1 settled at the end of the run (for origin checks). */
  l1Canonical: Record<number, string>
  /** Conductor samples (devnets with `l2.conductor`; absent otherwise). */
  conductors?: ConductorSample[]
  /** Blocks sequenced by conductor-managed nodes and committed by their conductors (absent without conductors). */
  claims?: BlockClaim[]
  /** User deposits on L1 and on each node's L2 (absent: not recorded). */
  deposits?: DepositHistory
  /**
   * Spans in which the recorder's process did not run at all (the host stalled: a paused virtual machine),
   * in time order; absent or empty: none. The invariants treat each as a fault window on every service.
   */
  stalls?: HostStall[]
}

/** A span of the run in which nothing ran on the host (see `scenario/stallWatch.ts`). */
export interface HostStall {
  /** The last moment the recorder's process was seen running (chain ms). */
  from: number
  /** When it ran again (chain ms). */
  to: number
  /** Length on the wall clock (ms). */
  wallMs: number
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

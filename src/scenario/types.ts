/** A scenario as the runner trusts it after loading, and what running it produces. */
import type { Address } from 'viem'
import type { InvariantOptions } from '../invariants/types.js'
import type { Topology } from '../topology/types.js'
import type { Condition, Term } from './condition.js'
import type { FaultCall } from '../faults/registry.js'
import type { Violation } from '../devnet/history.js'

export interface Scenario {
  /** From the file, or its file name without `.yaml`. */
  name: string
  /** @default '' */
  description: string
  /** Seed of every random choice of a run (load timing and mix, loss, jitter); absent: each run draws one. */
  seed?: number
  /** Inline, from `topologyFile`, or the default topology. */
  topology: Topology
  /** Absolute path of the topology file, when the scenario names one. */
  topologyFile?: string
  /** Recorder sampling interval, ms. @default 250 */
  sampleMs: number
  invariants: {
    /** Invariant ids not checked in this scenario. @default [] */
    except: string[]
    /** Options for the invariants; only the liveness windows can be set in a file. */
    options: Pick<InvariantOptions, 'unsafeStallMs' | 'safeStallMs'>
  }
  steps: Step[]
  /** The file it was loaded from, as given. */
  file: string
}

interface StepBase {
  /** Position in `steps`, from 0. */
  index: number
  /** YAML path, `steps[3]`. */
  path: string
  /** Line of the step in the scenario file. */
  line?: number
  /** The step's `label`, or a summary such as `wait replica-0.safe >= 10`. */
  label: string
  /** `at`: the step starts no earlier than this many ms after the run started (the devnet up, recording). */
  atMs?: number
}

/** Wait until the condition holds; fail after `timeoutMs` (default 60s). */
export interface WaitStep extends StepBase {
  kind: 'wait'
  condition: Condition
  timeoutMs: number
}

/**
 * `eventually`: pass as soon as the condition holds, fail if it has not within `withinMs` (default 30s).
 * `always`: the condition must hold at every sample for `forMs`; fail at the first sample it does not.
 */
export type ExpectStep = StepBase & { kind: 'expect'; condition: Condition } & (
    | { mode: 'eventually'; withinMs: number }
    | { mode: 'always'; forMs: number }
  )

/** Inject a fault (`heal: {}` steps are `fault` steps named `heal`). */
export interface FaultStep extends StepBase {
  kind: 'fault'
  fault: FaultCall
}

export interface SleepStep extends StepBase {
  kind: 'sleep'
  ms: number
}

/**
 * Send `rate` tx/s to `node` (default: the sequencer; `proxyd`: through proxyd) for `durationMs`, in the
 * background; its calls go into the history (`clients`), and its `load` note says which accepted
 * transactions did not land.
 * Send `rate` tx/s to `node` (default: the sequencer) for `durationMs`, in the background; with
 * `tx: 'deposits'`, `rate` deposits/s through the L1 portal instead (`node` does not apply); with
 * `tx: 'withdrawals'`, `rate` withdrawals/s initiated on L2 (to `node`, judged like transfers).
 */
export interface LoadStep extends StepBase {
  kind: 'load'
  rate: number
  durationMs: number
  node?: string
  /** @default 'transfers' */
  tx?: 'transfers' | 'deposits' | 'withdrawals'
}

/**
 * Deposit `mint` wei through the L1 portal (from the dev account before the last), then wait until `node`
 * (default: the sequencer) holds it on L2; fail after `timeoutMs` (default 30s). `mark` stores the L1
 * block number of the deposit as `$mark`.
 */
export interface DepositStep extends StepBase {
  kind: 'deposit'
  mint: bigint
  /** @default the sender */
  to?: Address
  node?: string
  mark?: string
  timeoutMs: number
}

/** Store the current value of `value` as `$name` for later conditions. */
export interface MarkStep extends StepBase {
  kind: 'mark'
  name: string
  value: Term
}

/**
 * An ETH withdrawal round trip from funded account `account`: initiate on L2, prove against the
 * proposer's game, resolve it, finalize on L1; fails unless the ETH arrived on L1 within `withinMs`.
 */
export interface WithdrawStep extends StepBase {
  kind: 'withdraw'
  /** Wei, as a decimal string. */
  value: string
  /** Index of a funded account (`keys.accounts`). */
  account: number
  withinMs: number
}

export type Step = WaitStep | ExpectStep | FaultStep | SleepStep | LoadStep | DepositStep | MarkStep | WithdrawStep
export type StepKind = Step['kind']

export interface StepResult {
  index: number
  kind: StepKind
  label: string
  status: 'passed' | 'failed' | 'skipped'
  /** Ms since the run started. */
  startedAt: number
  durationMs: number
  /** Why it failed, e.g. `replica-0.safe (8) < $beforeReorg (12) did not hold within 30s`. */
  message?: string
  /** The samples that show it, quoted in reports. */
  evidence?: unknown[]
}

export interface ScenarioResult {
  scenario: string
  /** The scenario file. */
  file?: string
  runtime?: 'process' | 'docker'
  /** The seed the run used (given, or drawn when none was). */
  seed?: number
  /** Devnet clock speed of the run: step times, `within`/`sleep` bounds and history `t` are chain ms (wall × speed). Absent: 1. */
  speed?: number
  /** No step failed, no invariant was violated and there was no error. */
  passed: boolean
  durationMs: number
  steps: StepResult[]
  /** Ids of the invariants that were checked. */
  invariants: string[]
  violations: Violation[]
  /** The run stopped early: the devnet did not start, a fault threw, ... */
  error?: { message: string; code?: string }
}

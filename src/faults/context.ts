/**
 * What a fault acts through: a devnet (endpoints, service handles, runtime) and the state faults share
 * (active windows, who is partitioned, which link faults are set) so recoveries and `heal` can undo them.
 * The state is plain JSON: `devnet fault` keeps it in the devnet's state directory between commands.
 */
import type { FaultRecord } from '../devnet/descriptor.js'
import type { HistoryEvent } from '../devnet/history.js'
import type { Runtime, ServiceHandle } from '../runtime/types.js'
import type { Topology } from '../topology/types.js'
import type { DevnetClock } from '../protocol/clock.js'
import { jsonRpc } from '../runtime/jsonrpc.js'

/** What faults use of a devnet: a started `Devnet`, or one attached through its state directory. */
export interface FaultDevnet {
  readonly topology: Topology
  /** Public endpoints: service → port name → URL. */
  readonly endpoints: Record<string, Record<string, string>>
  readonly runtime: Runtime
  /** The devnet clock. @default the wall clock (speed 1) */
  readonly clock?: DevnetClock
  /** The runtime handle of a service; throws `DEVNET_USAGE` for an unknown name. */
  service(name: string): ServiceHandle
  /** Wipes a service's persisted state for a cold start; devnets without persisted state leave it out. */
  wipeState?(service: string): void | Promise<void>
}

export interface FaultState {
  /** Every fault injected, in order; windows not closed yet have no `ended`. */
  faults: FaultRecord[]
  /** Services with a link fault (latency / loss / bandwidth) set. */
  linkFaults: string[]
  /** Whether the runtime holds a partition to heal. */
  runtimePartition: boolean
}

export interface FaultContext {
  devnet: FaultDevnet
  state: FaultState
  /** Records an event in the history (the runner timestamps it). */
  record(event: Omit<HistoryEvent, 't'>): void
  /** Persists `state` after each fault (`devnet fault` writes `faults.json`). */
  save?(): void
}

export function newFaultState(): FaultState {
  return { faults: [], linkFaults: [], runtimePartition: false }
}

/** Whether two target lists share a service (an empty list means every service). */
export const overlapping = (a: string[], b: string[]) => a.length === 0 || b.length === 0 || a.some((t) => b.includes(t))

/** The windows not closed yet, in opening order. */
export function activeFaults(state: FaultState): FaultRecord[] {
  return state.faults.filter((f) => !f.ended)
}

/**
 * Closes every active window that fault `by` ends (its name is in the window's `endedBy`) on an
 * overlapping target, recording one `fault-end` per window, named after the fault that opened it.
 * @returns The windows closed.
 */
export function closeWindows(ctx: FaultContext, by: string, targets: string[], details?: Record<string, unknown>): FaultRecord[] {
  const closed = activeFaults(ctx.state).filter((w) => w.endedBy.includes(by) && overlapping(targets, w.targets))
  for (const w of closed) {
    w.ended = { at: Date.now(), by }
    ctx.record({ kind: 'fault-end', name: w.name, targets: w.targets, by, ...(details ? { details } : {}) })
  }
  return closed
}

/** Whether a window of fault `name` is active. */
export function isActive(state: FaultState, name: string): boolean {
  return activeFaults(state).some((w) => w.name === name)
}

/** One JSON-RPC call to a devnet endpoint (the orchestrator's client, `runtime/jsonrpc.ts`). */
export function call<T = unknown>(url: string, method: string, params: unknown[] = [], timeoutMs = 10_000): Promise<T> {
  return jsonRpc<T>(url, method, params, { timeoutMs })
}

/**
 * Starts the sequencer of the rollup node at `rollup` at its unsafe head (`optimism_syncStatus`, then
 * `admin_startSequencer(unsafe_l2.hash)`), as an operator does. A node that still receives blocks (a
 * follower beside a live leader) can move its head between the two calls; op-node then answers "block hash
 * does not match", and the operator reads the head again: so does this, up to `attempts` times.
 * Resolves to the head it started at.
 */
export async function startSequencerAtHead(rollup: string, attempts = 5): Promise<{ hash: string; number: number }> {
  for (let attempt = 1; ; attempt++) {
    const { unsafe_l2: head } = await call<{ unsafe_l2: { hash: string; number: number } }>(rollup, 'optimism_syncStatus')
    try {
      await call(rollup, 'admin_startSequencer', [head.hash])
      return head
    } catch (err) {
      if (attempt >= attempts || !/block hash does not match/.test((err as Error).message)) throw err
    }
  }
}

/** Names of the devnet's rollup nodes. */
export function rollupNodes(devnet: FaultDevnet): string[] {
  return devnet.topology.l2.nodes.map((n) => n.name)
}

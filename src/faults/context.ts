/**
 * What a fault acts through: the started devnet (endpoints, service handles, runtime) and the
 * state faults share (who is partitioned, which link faults are set) so `heal` can undo them.
 */
import type { Devnet } from '../devnet/start.js'
import type { HistoryEvent } from '../devnet/history.js'

export interface FaultState {
  /** Services with a link fault (latency / loss / bandwidth) set. */
  linkFaults: Set<string>
  /** Whether the runtime holds a partition to heal. */
  runtimePartition: boolean
}

export interface FaultContext {
  devnet: Devnet
  state: FaultState
  /** Records an event in the history (the runner timestamps it). */
  record(event: Omit<HistoryEvent, 't'>): void
}

export function newFaultState(): FaultState {
  return { linkFaults: new Set(), runtimePartition: false }
}

let id = 1

/** One JSON-RPC call to a devnet endpoint; throws with the method name on an error answer. */
export async function call<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }),
    signal: AbortSignal.timeout(10_000),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error) throw new Error(`${method} on ${url}: ${body.error.message}`)
  return body.result as T
}

/** Names of the devnet's rollup nodes. */
export function rollupNodes(devnet: Devnet): string[] {
  return devnet.topology.l2.nodes.map((n) => n.name)
}

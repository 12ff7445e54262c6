/**
 * Where a replica forwards transactions: the one sequencer it knows, or with several (HA, comma-separated
 * `sequencerHttp` / `sequencerRollupHttp`) the one whose `admin_sequencerActive` is true, re-checked
 * every second and after a failed forward.
 */
import { rpcClient, rpcFail, type RpcClient } from '../../shared/jsonrpc.js'

const RECHECK_MS = 1_000
const PROBE_TIMEOUT_MS = 1_000

export interface SequencerTarget {
  /** The EL client to forward to; throws when no sequencer is active. */
  client(): Promise<RpcClient>
  /** Forgets the cached choice (after a failed forward). */
  invalidate(): void
}

/** The forwarding target of `sequencerHttp` (undefined: this node knows no sequencer). */
export function sequencerTarget(sequencerHttp: string | undefined, sequencerRollupHttp: string | undefined): SequencerTarget | undefined {
  if (!sequencerHttp) return undefined
  const els = sequencerHttp.split(',').map((u) => rpcClient(u.trim()))
  if (els.length === 1) return { client: async () => els[0]!, invalidate: () => {} }
  const rollups = (sequencerRollupHttp ?? '').split(',').map((u) => rpcClient(u.trim(), PROBE_TIMEOUT_MS))
  if (rollups.length !== els.length) throw new Error(`sequencerHttp has ${els.length} URLs but sequencerRollupHttp ${rollups.length}; give both lists the same length`)
  let chosen: { index: number; at: number } | undefined
  return {
    async client() {
      if (chosen && Date.now() - chosen.at < RECHECK_MS) return els[chosen.index]!
      const active = await Promise.all(rollups.map((r) => r.call<boolean>('admin_sequencerActive', []).catch(() => false)))
      const index = active.indexOf(true)
      if (index < 0) {
        chosen = undefined
        rpcFail(-32000, 'no active sequencer to forward the transaction to')
      }
      chosen = { index, at: Date.now() }
      return els[index]!
    },
    invalidate: () => void (chosen = undefined),
  }
}

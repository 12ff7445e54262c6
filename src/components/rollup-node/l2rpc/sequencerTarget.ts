/**
 * Where a replica forwards transactions: the one sequencer it knows, or with several (HA, comma-separated
 * `sequencerHttp` / `sequencerRollupHttp`, paired by position) the one whose rollup node answers
 * `admin_sequencerActive` with true (`shared/activeRollup.ts`), re-checked every second and after a
 * failed forward.
 */
import { activeRollup } from '../../shared/activeRollup.js'
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
  const rollupUrls = (sequencerRollupHttp ?? '').split(',').map((u) => u.trim())
  if (rollupUrls.length !== els.length) throw new Error(`sequencerHttp has ${els.length} URLs but sequencerRollupHttp ${rollupUrls.length}; give both lists the same length`)
  const active = activeRollup(rollupUrls, { checkMs: RECHECK_MS, timeoutMs: PROBE_TIMEOUT_MS })
  return {
    async client() {
      const index = await active.index().catch(() => rpcFail(-32000, 'no active sequencer to forward the transaction to'))
      return els[index]!
    },
    invalidate: () => active.invalidate(),
  }
}

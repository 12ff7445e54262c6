import type { ClientCall, History } from '../devnet/history.js'
import { affects, faultWindows, type FaultWindow } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/** Methods proxyd sends to the sequencing nodes only; every other method is served by any node. */
const SEQUENCER_METHODS = new Set(['eth_sendRawTransaction'])

/** Whether `node`'s latest sample at or before `t` shows its sequencer active. */
function sequencingAt(history: History, node: string, t: number): boolean {
  let active = false
  for (const s of history.samples) if (s.node === node && s.t <= t) active = s.sequencerActive
  return active
}

/** The fault windows acting during `call` or up to `graceMs` before it. */
function windowsDuring(windows: FaultWindow[], call: ClientCall, graceMs: number): FaultWindow[] {
  return windows.filter((w) => w.start <= call.t + call.durationMs && call.t < w.end + graceMs)
}

/**
 * No client call through proxyd fails while proxyd and at least one of its backends are healthy: a call
 * that failed (`history.clients`, `via: 'proxyd'`) is a violation unless a fault window acted on proxyd,
 * or on every backend able to serve it, during the call or within `graceMs` before it. proxyd's backends
 * are the rollup nodes; for `eth_sendRawTransaction` only the nodes sequencing at that time.
 */
export const rpcAvailable: Invariant = {
  id: 'rpcAvailable',
  description: 'no client call through proxyd fails while proxyd and at least one of its backends are healthy',
  check(history, options) {
    const { graceMs } = withDefaults(options)
    const windows = faultWindows(history, graceMs)
    return history.clients.flatMap((call) => {
      if (call.via !== 'proxyd' || call.error === undefined) return []
      const during = windowsDuring(windows, call, graceMs)
      if (during.some((w) => affects(w, 'proxyd'))) return []
      const backends = SEQUENCER_METHODS.has(call.method) ? history.nodes.filter((n) => sequencingAt(history, n, call.t)) : history.nodes
      const healthy = backends.filter((node) => !during.some((w) => affects(w, node)))
      if (!healthy.length) return []
      return [
        {
          invariant: this.id,
          t: call.t,
          message: `${call.method} through proxyd failed at t=${call.t}ms (${call.error}) while ${healthy.join(', ')} could serve it`,
          evidence: [call, ...during.map((w) => w.event)],
        },
      ]
    })
  },
}

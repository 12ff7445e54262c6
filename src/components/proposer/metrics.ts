/**
 * op-proposer's Prometheus metrics (namespace `op_proposer_default`): `info{version}`, `up`, the block
 * references of op-service's RefMetrics (`refs_number`, `refs_time` with `layer` and `type`: `proposed` for
 * a proposal it made, `valid_output` for one it found on the factory already) and the txmgr counters.
 */
import { Gauge } from 'prom-client'
import type { L2BlockRef } from '../../protocol/types.js'
import { serviceMetrics } from '../shared/metrics.js'

/** op-proposer's namespace with its default process name. */
export const PROPOSER_METRICS_NS = 'op_proposer_default'

export type ProposerMetrics = ReturnType<typeof proposerMetrics>

/** The proposer's metrics on a registry of their own. */
export function proposerMetrics(version: string) {
  const m = serviceMetrics(PROPOSER_METRICS_NS, version)
  const registers = [m.registry]
  const labelNames = ['layer', 'type']
  const refsNumber = new Gauge({ name: `${PROPOSER_METRICS_NS}_refs_number`, help: 'Gauge representing the different L1/L2 reference block numbers', labelNames, registers })
  const refsTime = new Gauge({ name: `${PROPOSER_METRICS_NS}_refs_time`, help: 'Gauge representing the different L1/L2 reference block timestamps', labelNames, registers })
  return {
    ...m,
    /** op-service's `RecordL2Ref`: the L2 block and its L1 origin under `type`. */
    recordL2Ref(type: 'proposed' | 'valid_output', ref: Pick<L2BlockRef, 'number' | 'timestamp' | 'l1origin'>): void {
      refsNumber.labels('l2', type).set(ref.number)
      refsTime.labels('l2', type).set(ref.timestamp)
      refsNumber.labels('l1_origin', type).set(ref.l1origin.number)
    },
  }
}

/**
 * The proposer service of a devnet: the lite op-proposer with op-proposer's flags, following the
 * sequencer's rollup node (with standby sequencers, every sequencer-capable node's, as a comma-separated
 * `--rollup-rpc`: it follows the active one across a failover) and proposing the safe head
 * (`--allow-non-finalized`, as upstream devnets do) with the topology's game type and proposal interval.
 * Its Prometheus metrics are on the `metrics` port. Pure.
 */
import type { Address } from 'viem'
import type { Topology } from '../topology/types.js'
import type { PortMap } from './ports.js'
import type { LinkPlan, ServicePlan } from './types.js'

/** Defaults of the proposer service. */
export const proposerDefaults = {
  /** `--poll-interval`. @default '500ms' */
  pollInterval: '500ms',
  /** `--active-sequencer-check-duration` (op-proposer's default, 2m, would miss a failover for minutes). @default '1s' */
  activeSequencerCheck: '1s',
}

/** The `proposer` service: started once L1 is ready (it tolerates a rollup node that is not up yet). */
export function proposerService(
  topology: Topology,
  opts: { bindHost: string; inner: PortMap['proposer']; host: PortMap['proposer']; l1Url: string; rollupUrls: string[]; factory: Address; privateKey: string; links: LinkPlan[] },
): ServicePlan {
  const s = topology.settlement
  return {
    name: 'proposer',
    role: 'proposer',
    program: 'lite',
    args: [
      'proposer',
      `--l1-eth-rpc=${opts.l1Url}`,
      `--rollup-rpc=${opts.rollupUrls.join(',')}`,
      `--active-sequencer-check-duration=${proposerDefaults.activeSequencerCheck}`,
      `--game-factory-address=${opts.factory}`,
      `--game-type=${s.gameType}`,
      `--proposal-interval=${s.proposalIntervalSeconds}s`,
      `--poll-interval=${proposerDefaults.pollInterval}`,
      '--allow-non-finalized',
      `--rpc.addr=${opts.bindHost}`,
      `--rpc.port=${opts.inner.rpc}`,
      '--metrics.enabled',
      `--metrics.addr=${opts.bindHost}`,
      `--metrics.port=${opts.inner.metrics}`,
    ],
    // The key goes in the environment, not on the command line (process listings show arguments).
    env: { OP_PROPOSER_PRIVATE_KEY: opts.privateKey },
    ports: {
      rpc: { port: opts.inner.rpc, host: opts.host.rpc, protocol: 'http', public: true },
      metrics: { port: opts.inner.metrics, host: opts.host.metrics, protocol: 'http', public: true },
    },
    files: {},
    readiness: { kind: 'rpc', port: 'rpc', method: 'proposer_status' },
    dependsOn: ['l1'],
    links: opts.links,
  }
}

/**
 * The L1 clock service (`components/l1-clock`): it mines the L1 anvil, which runs with `--no-mining`, one
 * block per slot of `l1.blockTime` on the devnet clock. It starts held, beside L1, and the devnet start
 * resumes it once every service is ready: L1 mines nothing while the devnet starts, so a slow start uses
 * up none of the sequencing window (unless planned unheld: a compose file, which nothing resumes). Pure.
 */
import type { L1ClockConfig } from '../components/l1-clock/config.js'
import type { Topology } from '../topology/types.js'
import type { PortMap } from './ports.js'
import type { ServicePlan } from './types.js'

/** The L1 clock's service name. */
export const L1_CLOCK_SERVICE = 'l1-clock'

/** The L1 clock service; `l1Rpc` is its link to L1. */
export function l1ClockService(topology: Topology, o: { held: boolean; bindHost: string; inner: PortMap['l1Clock']; host: PortMap['l1Clock']; genesisTime: number; l1Rpc: string; links: ServicePlan['links'] }): ServicePlan {
  const config: L1ClockConfig = {
    name: L1_CLOCK_SERVICE,
    l1Rpc: o.l1Rpc,
    blockTime: topology.l1.blockTime,
    genesisTime: o.genesisTime,
    held: o.held,
    host: o.bindHost,
    ports: { rpc: o.inner.rpc },
  }
  return {
    name: L1_CLOCK_SERVICE,
    role: 'l1-clock',
    program: 'lite',
    args: ['l1-clock', 'config.json'],
    env: {},
    ports: { rpc: { port: o.inner.rpc, host: o.host.rpc, protocol: 'http', public: true } },
    files: { 'config.json': `${JSON.stringify(config, null, 2)}\n` },
    readiness: { kind: 'rpc', port: 'rpc', method: 'l1clock_status' },
    dependsOn: ['l1'],
    links: o.links,
  }
}

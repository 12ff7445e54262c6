/**
 * The challenger service of a devnet with settlement contracts: the lite op-challenger with op-challenger's
 * flags, playing the devnet's game type (`alphabet` for ALPHABET games, `fast` for FAST ones) against the
 * sequencer's rollup node, with the `challenger` dev key. Its metrics server (`metrics` port) answers
 * `GET /healthz` and JSON-RPC `challenger_status`. Pure.
 */
import type { Topology } from '../topology/types.js'
import { devKeys } from './keys.js'
import { l1Deployment } from './l1Deployment.js'
import type { LinkPlan, PortPlan, ServicePlan } from './types.js'

/** Planner defaults of the challenger. */
export const challengerDefaults = {
  /** `--http-poll-interval`: how often it looks at L1 and the games. @default '500ms' */
  pollInterval: '500ms',
}

export interface ChallengerServiceInput {
  bindHost: string
  /** Its `metrics` port inside its namespace and on the host. */
  port: PortPlan
  /** The rollup node it checks claims against. */
  node: string
  /** Declares a link of the challenger and returns its URL. */
  url: (links: LinkPlan[], to: string, port: string) => string
}

/** The `challenger` service. */
export function challengerService(topology: Topology, input: ChallengerServiceInput): ServicePlan {
  const links: LinkPlan[] = []
  const traceType = topology.settlement.gameType === 254 ? 'fast' : 'alphabet'
  return {
    name: 'challenger',
    role: 'challenger',
    program: 'lite',
    args: [
      'challenger',
      '--l1-eth-rpc', input.url(links, 'l1', 'rpc'),
      '--rollup-rpc', input.url(links, input.node, 'rollup'),
      '--game-factory-address', l1Deployment(topology).addresses.DisputeGameFactoryProxy,
      '--trace-type', traceType,
      '--http-poll-interval', challengerDefaults.pollInterval,
      '--metrics.enabled',
      '--metrics.addr', input.bindHost,
      '--metrics.port', String(input.port.port),
    ],
    // The key stays out of the command line (and `ps`).
    env: { OP_CHALLENGER_PRIVATE_KEY: devKeys(topology).challenger.privateKey },
    ports: { metrics: input.port },
    files: {},
    readiness: { kind: 'rpc', port: 'metrics', method: 'health_status' },
    dependsOn: ['l1'], // it asks its rollup node only about games, and tolerates one that is not up yet
    links,
  }
}

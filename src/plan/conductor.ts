/**
 * Conductor services (`l2.conductor`): one lite op-conductor beside each node of `conductorNodes`, named
 * `<node>-conductor`, with op-conductor's flags. Each spawns its own etcd member (raft peer port
 * `consensus`, client port `etcd` on loopback). They start paused; the first node's conductor bootstraps
 * a one-member cluster, the others wait to be added as voters (`devnet/conductors.ts` forms the cluster
 * as op-e2e does). The members reach each other on their advertised consensus addresses directly, not
 * through links: an etcd member advertises one peer address to the whole cluster. Pure.
 */
import { DevnetError } from '../errors.js'
import { conductorNodes } from '../topology/conductor.js'
import type { Topology } from '../topology/types.js'
import type { ConductorPorts } from './ports.js'
import type { LinkPlan, PortPlan, ServicePlan } from './types.js'

/** The service name of a node's conductor. */
export const conductorService = (node: string) => `${node}-conductor`

/** The conductor's `--raft.storage.dir` (in its service directory): its etcd member's data. */
export const CONDUCTOR_STORAGE_DIR = 'raft'

/** The raft server ID of a node's conductor (the node's name). */
export const conductorServerId = (node: string) => node

export interface ConductorPlanArgs {
  runtime: 'process' | 'docker'
  bindHost: string
  /** Ports inside the service's namespace and on the host, by node. */
  inner: Record<string, ConductorPorts>
  host: Record<string, ConductorPorts>
  /** `url(links, to, port)`: declares a link and returns its `http://` URL placeholder. */
  url: (links: LinkPlan[], to: string, port: string) => string
}

/** The consensus address (`host:port`) other members dial for `node`'s conductor. */
export function consensusAddress(topology: Topology, args: Pick<ConductorPlanArgs, 'runtime' | 'inner' | 'host'>, node: string): string {
  return args.runtime === 'docker' ? `${topology.name}-${conductorService(node)}:${args.inner[node]!.consensus}` : `127.0.0.1:${args.host[node]!.consensus}`
}

/** The conductor services of a topology, in `l2.nodes` order (none when `l2.conductor` is off). */
export function conductorServices(topology: Topology, args: ConductorPlanArgs): ServicePlan[] {
  const nodes = conductorNodes(topology)
  const { healthcheck } = topology.l2.conductor
  return nodes.map((node, i): ServicePlan => {
    const name = conductorService(node)
    if (topology.l2.nodes.some((n) => n.name === name)) {
      throw new DevnetError(`node name ${JSON.stringify(name)} is taken by the conductor of node ${JSON.stringify(node)}`, { code: 'DEVNET_SPEC_INVALID', details: 'rename the node' })
    }
    const inner = args.inner[node]!
    const host = args.host[node]!
    const links: LinkPlan[] = []
    const port = (p: number, h: number, isPublic: boolean): PortPlan => ({ port: p, host: h, protocol: isPublic ? 'http' : 'tcp', public: isPublic })
    return {
      name,
      role: 'conductor',
      program: 'lite',
      args: [
        'conductor',
        `--raft.server.id=${conductorServerId(node)}`,
        `--raft.storage.dir=${CONDUCTOR_STORAGE_DIR}`,
        `--consensus.addr=${args.bindHost}`,
        `--consensus.port=${inner.consensus}`,
        `--consensus.advertised=${consensusAddress(topology, args, node)}`,
        `--etcd.client-port=${inner.etcd}`,
        `--node.rpc=${args.url(links, node, 'rollup')}`,
        `--execution.rpc=${args.url(links, node, 'el')}`,
        `--healthcheck.interval=${healthcheck.interval}`,
        `--healthcheck.unsafe-interval=${healthcheck.unsafeInterval}`,
        `--healthcheck.min-peer-count=${healthcheck.minPeerCount}`,
        `--rpc.addr=${args.bindHost}`,
        `--rpc.port=${inner.rpc}`,
        '--paused',
        ...(i === 0 ? ['--raft.bootstrap'] : []),
      ],
      env: {},
      ports: { rpc: port(inner.rpc, host.rpc, true), consensus: port(inner.consensus, host.consensus, false), etcd: port(inner.etcd, host.etcd, false) },
      files: {},
      readiness: { kind: 'rpc', port: 'rpc', method: 'conductor_paused' },
      // op-conductor checks `admin_conductorEnabled` on its node first.
      dependsOn: [node],
      links,
    }
  })
}

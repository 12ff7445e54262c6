/**
 * The planner: a resolved topology → the services of a devnet, in start order. Pure and deterministic
 * (ports and genesis time are inputs), hence snapshot-tested.
 *
 * Start order: `l1`, `l1-clock` (mines L1 once the start resumes it, see `l1Clock.ts`), `bootnode` (with `l2.discovery: bootnodes`, see `bootnode.ts`), the sequencer, the
 * replicas (in `l2.nodes` order), the conductors, `batcher`, `proposer` (with the settlement contracts, see
 * `proposer.ts`), `proxyd` (see `proxyd.ts`), `challenger`. Ports follow the `l2.nodes` list order whatever the start order (see `ports.ts`).
 */
import type { BatcherConfig } from '../components/batcher/config.js'
import { NODE_DATA_DIR, type RollupNodeConfig } from '../components/rollup-node/config.js'
import { WAIT_FOR_ENV } from '../components/shared/dependencies.js'
import { DevnetError } from '../errors.js'
import { clockEnv, devnetClock, speedProblem } from '../protocol/clock.js'
import { batchInboxAddress } from '../protocol/inbox.js'
import { p2pPeerId, p2pPrivateKeyFromSeed } from '../protocol/p2pIdentity.js'
import type { NodeSpec, Topology } from '../topology/types.js'
import { l1Genesis, l2Genesis, rollupConfig, type L1ContractsInput } from './genesis.js'
import { devKeys } from './keys.js'
import { stablePorts, type PortMap } from './ports.js'
import { linkMultiaddrRef, linkRef } from './links.js'
import { l1Deployment } from './l1Deployment.js'
import { proposerService } from './proposer.js'
import { proxydService } from './proxyd.js'
import { conductorService, conductorServices } from './conductor.js'
import { conductorNodes } from '../topology/conductor.js'
import { challengerService } from './challenger.js'
import { BOOTNODE_SERVICE, bootnodeService, nodeDiscovery } from './bootnode.js'
import { l1ClockService } from './l1Clock.js'
import { FOLLOWER_NICE, type DevnetPlan, type LinkPlan, type PortPlan, type ServicePlan } from './types.js'

/**
 * How docker-runtime nodes ping their p2p connections (see `PingLiveness`): a partition disconnects a
 * network and leaves its sockets open, and the pings find them dead within a few seconds. An answer may
 * take 1.5-3 s (adaptive): with 0.5 s, a node busy for half a second on a loaded machine (a container
 * starting beside it) lost its connections, and bootnode-down failed on CI so.
 */
export const DOCKER_P2P_LIVENESS = { intervalMs: 1_000, minTimeoutMs: 1_500, maxTimeoutMs: 3_000 }

/** Every planner default, in one place. */
export const planDefaults = {
  /** How often rollup nodes poll L1 `safe`/`finalized`. @default 500 */
  l1EpochPollMs: 500,
  /** How often rollup nodes poll the L1 head. @default 100 */
  l1PollMs: 100,
  /** Batcher poll interval. @default 200 */
  batcherPollMs: 200,
  /** EVM hardfork of the L1 anvil. @default 'prague' */
  l1Hardfork: 'prague',
}

/** Service names the planner uses besides the node names. */
export const RESERVED_SERVICE_NAMES = ['l1', 'l1-clock', 'batcher', 'proposer', 'proxyd', 'challenger', 'bootnode'] as const

export interface PlanOptions {
  /** Where the services run: decides bind hosts and the URLs services use to reach each other. */
  runtime: 'process' | 'docker'
  /** Host ports (from `resolvePorts`). @default stablePorts(topology) */
  ports?: PortMap
  /** L1 and L2 genesis timestamp, seconds. */
  genesisTime: number
  /** The settlement contracts in the L1 genesis (from `devnet/settlement.ts`). @default none: a bare L1 */
  l1Contracts?: L1ContractsInput
  /**
   * Devnet clock speed (`protocol/clock.ts`): chain time runs `speed` times faster than wall time from the
   * genesis time. The L1 clock service mines L1 every `blockTime` of chain time (`blockTime / speed` wall
   * seconds) and every lite service gets the clock in `DEVNET_CLOCK_*`. @default 1
   */
  speed?: number
  /**
   * The L1 clock starts held, mining nothing until the devnet start resumes it once every service is
   * ready (`startDevnet`). False for a plan nothing resumes (a compose file): L1 mines from its start.
   * @default true
   */
  holdL1?: boolean
}

/**
 * Plans a devnet: L1 anvil, one lite rollup node per `l2.nodes` entry (sequencer first), the batcher.
 *
 * Standby replicas (`standby: true`) get the sequencer key and run with their sequencer enabled but
 * stopped (failover starts it with `admin_startSequencer`); the batcher then gets the sequencer's and the
 * standbys' URLs as comma-separated lists (multi-sequencer mode) and follows the active one.
 *
 * Services reach each other through declared links (`ServicePlan.links`), written as placeholders the
 * runtime substitutes (`plan/links.ts`): the process runtime with the port of the link's loopback proxy
 * (targets: `127.0.0.1:<host port>`), docker with the target `<devnet>-<service>:<container port>`
 * (`<devnet>-<service>-p2p` for p2p). Process services bind `127.0.0.1` on their host ports; containers
 * bind `0.0.0.0` on the stable ports of their service (only the published host ports differ).
 *
 * @example
 * const plan = planDevnet(topology, { runtime: 'process', ports: await resolvePorts(topology), genesisTime: now })
 */
export function planDevnet(topology: Topology, options: PlanOptions): DevnetPlan {
  const { runtime, genesisTime } = options
  const speed = options.speed ?? 1
  checkSpeed(topology, speed)
  const hostPorts = options.ports ?? stablePorts(topology)
  // Inside a container each service listens on its stable port; on the host, port = host port.
  const innerPorts = runtime === 'docker' ? stablePorts(topology) : hostPorts
  const bindHost = runtime === 'docker' ? '0.0.0.0' : '127.0.0.1'
  const keys = devKeys(topology)
  const nodes = topology.l2.nodes
  const sequencer = nodes.find((node) => node.role === 'sequencer')
  if (!sequencer) throw new DevnetError('the topology has no sequencer', { code: 'DEVNET_SPEC_INVALID' })
  for (const node of nodes) {
    if ((RESERVED_SERVICE_NAMES as readonly string[]).includes(node.name)) {
      throw new DevnetError(`node name ${JSON.stringify(node.name)} is reserved for the ${node.name} service`, {
        code: 'DEVNET_SPEC_INVALID',
        details: `rename the node in l2.nodes; reserved names: ${RESERVED_SERVICE_NAMES.join(', ')}`,
      })
    }
  }

  const port = (inner: number, host: number, protocol: PortPlan['protocol'] = 'http', isPublic = true): PortPlan => ({
    port: inner,
    host,
    protocol,
    public: isPublic,
  })
  const withConductor = conductorNodes(topology)
  const innerConductors = innerPorts.conductors ?? {}
  const hostConductors = hostPorts.conductors ?? {}
  const conductorOf = new Map(withConductor.map((node) => [conductorService(node), node]))
  /** The port numbers of `service`'s port `name`: inside its namespace and on the host. */
  const portOf = (service: string, name: string): { inner: number; host: number } => {
    if (service === 'l1') return { inner: innerPorts.l1.rpc, host: hostPorts.l1.rpc }
    const node = conductorOf.get(service)
    if (service === BOOTNODE_SERVICE) return { inner: innerPorts.bootnode.rpc, host: hostPorts.bootnode.rpc }
    if (node) return { inner: innerConductors[node]!.rpc, host: hostConductors[node]!.rpc }
    return { inner: innerPorts.nodes[service][name as 'el' | 'rollup' | 'p2p'], host: hostPorts.nodes[service][name as 'el' | 'rollup' | 'p2p'] }
  }
  /** Declares `from`'s link to `to`'s port `name` (once) and returns its `host:port` placeholder. */
  const link = (from: LinkPlan[], to: string, name: string): string => {
    const cls = name === 'p2p' ? 'p2p' : 'rpc'
    if (!from.some((l) => l.to === to && l.port === name)) {
      const { inner, host } = portOf(to, name)
      from.push({
        to,
        port: name,
        class: cls,
        // In containers p2p travels on its own network, reached through the `-p2p` alias.
        target: runtime === 'docker' ? { host: `${topology.name}-${to}${cls === 'p2p' ? '-p2p' : ''}`, port: inner } : { host: '127.0.0.1', port: host },
      })
    }
    return name === 'p2p' ? linkMultiaddrRef(to, name) : linkRef(to, name)
  }
  const url = (from: LinkPlan[], to: string, name: string) => `http://${link(from, to, name)}`

  // Node identities are stable per devnet name, and differ between devnets running side by side.
  // Each peer ID once: every node's dial table names every other node (2 550 IDs for 50 replicas), and an ID
  // costs two constant-time point multiplications.
  const identities = new Map(nodes.map((node, i) => {
    const key = p2pPrivateKeyFromSeed(`${topology.keys.mnemonic}/${topology.name}`, i)
    return [node.name, { key, peerId: p2pPeerId(key) }]
  }))
  const p2pKey = (node: NodeSpec) => identities.get(node.name)!.key
  const peerAddr = (from: LinkPlan[], name: string) => {
    const peer = identities.get(name)
    if (!peer) throw new DevnetError(`node ${JSON.stringify(name)} has no such peer`, { code: 'DEVNET_SPEC_INVALID' })
    return `${link(from, name, 'p2p')}/p2p/${peer.peerId}`
  }

  const rollup = rollupConfig(topology, genesisTime)
  const discovery = topology.l2.discovery === 'bootnodes'
  const l2GenesisJson = json(l2Genesis(topology, genesisTime))

  const l1: ServicePlan = {
    name: 'l1',
    role: 'l1',
    program: 'anvil',
    args: [
      '--init', 'l1-genesis.json',
      // The L1 clock service mines it, one block per slot on the devnet clock (`l1Clock.ts`).
      '--no-mining',
      '--slots-in-an-epoch', String(topology.l1.slotsPerEpoch),
      '--hardfork', planDefaults.l1Hardfork,
      '--host', bindHost,
      '--port', String(innerPorts.l1.rpc),
    ],
    env: {},
    ports: { rpc: port(innerPorts.l1.rpc, hostPorts.l1.rpc) },
    files: { 'l1-genesis.json': json(l1Genesis(topology, genesisTime, options.l1Contracts)) },
    readiness: { kind: 'rpc', port: 'rpc', method: 'eth_chainId' },
    dependsOn: [],
    links: [],
  }

  const nodeService = (node: NodeSpec): ServicePlan => {
    const inner = innerPorts.nodes[node.name]
    const host = hostPorts.nodes[node.name]
    const isSequencer = node.role === 'sequencer'
    // A standby replica can take over sequencing: sequencer enabled but stopped, with the key and the
    // sequencer's origin lag, while it derives like any replica.
    const canSequence = isSequencer || node.standby
    // With conductors every sequencer starts stopped: the cluster bootstrap starts the first one.
    const conducted = withConductor.includes(node.name)
    const links: LinkPlan[] = []
    const config: RollupNodeConfig = {
      name: node.name,
      rollup,
      l1Rpc: url(links, 'l1', 'rpc'),
      // anvil answers WebSocket on its HTTP port: the head comes by subscription, not a 100 ms poll.
      l1Ws: `ws://${link(links, 'l1', 'rpc')}`,
      l2Genesis: 'l2-genesis.json',
      dataDir: NODE_DATA_DIR,
      host: bindHost,
      ports: { el: inner.el, rollup: inner.rollup, p2p: inner.p2p },
      sequencer: { enabled: canSequence, stopped: canSequence && (!isSequencer || conducted), l1Confs: canSequence ? sequencer.l1Confs : 0 },
      verifierL1Confs: isSequencer ? 0 : node.l1Confs,
      p2p: {
        privateKey: p2pKey(node),
        staticPeers: node.peers.map((peer) => peerAddr(links, peer)),
        // In containers p2p has its own network: announce only the p2p alias, so peers cannot dial
        // around a p2p partition over the RPC network.
        ...(runtime === 'docker' ? { announce: `/dns4/${topology.name}-${node.name}-p2p/tcp/${inner.p2p}` } : {}),
        // A docker partition disconnects a network, which leaves sockets open: tight pings find the dead
        // connections. On the process runtime the link proxy resets them, and libp2p's defaults are kept.
        ...(runtime === 'docker' ? { liveness: DOCKER_P2P_LIVENESS } : {}),
        ...(canSequence ? { sequencerKey: keys.sequencer.privateKey } : {}),
        unsafeBlockSigner: keys.sequencer.address,
        ...(discovery
          ? {
              discovery: nodeDiscovery(topology, {
                runtime, node: node.name, udpPort: inner.p2p, bootnodeRpc: url(links, BOOTNODE_SERVICE, 'rpc'),
                dialAddrs: Object.fromEntries(nodes.filter((n) => n !== node).map((n) => [identities.get(n.name)!.peerId, peerAddr(links, n.name)])),
                staticInbound: nodes.filter((n) => n.peers.includes(node.name)).length,
              }),
            }
          : {}),
      },
      ...forwarding(node, links),
      ...(conducted ? { conductor: { enabled: true, rpc: url(links, conductorService(node.name), 'rpc'), rpcTimeoutMs: 1_000 } } : {}),
      l1EpochPollMs: planDefaults.l1EpochPollMs,
      l1PollMs: planDefaults.l1PollMs,
    }
    return {
      name: node.name,
      role: node.role,
      program: 'lite',
      args: ['rollup-node', 'config.json'],
      env: {},
      ports: {
        el: port(inner.el, host.el),
        rollup: port(inner.rollup, host.rollup),
        p2p: port(inner.p2p, host.p2p, 'tcp', false),
      },
      files: { 'config.json': json(config), 'l2-genesis.json': l2GenesisJson },
      readiness: { kind: 'rpc', port: 'rollup', method: 'optimism_syncStatus' },
      // What a node needs to start is L1 (it reads the rollup's L1 genesis); peers are redialled and
      // transactions forwarded lazily, so nodes start side by side.
      dependsOn: ['l1'],
      links,
      ...(canSequence ? {} : { nice: FOLLOWER_NICE }),
    }
  }

  /**
   * Where a node forwards transactions: the sequencer; with conductors, whichever sequencer-capable
   * node is active (comma-separated lists, see the rollup node's `sequencerHttp`).
   */
  function forwarding(node: NodeSpec, links: LinkPlan[]): Pick<RollupNodeConfig, 'sequencerHttp' | 'sequencerRollupHttp'> {
    if (withConductor.length === 0) return node === sequencer ? {} : { sequencerHttp: url(links, sequencer!.name, 'el') }
    const others = sequencing.filter((n) => n !== node)
    return {
      sequencerHttp: others.map((n) => url(links, n.name, 'el')).join(','),
      sequencerRollupHttp: others.map((n) => url(links, n.name, 'rollup')).join(','),
    }
  }

  // With standbys the batcher runs in multi-sequencer mode: comma-separated lists, sequencer first, and
  // it follows whichever node answers `admin_sequencerActive` with true.
  const sequencing = [sequencer, ...nodes.filter((node) => node.role === 'replica' && node.standby)]
  const batcherLinks: LinkPlan[] = []
  const batcherConfig: BatcherConfig = {
    name: 'batcher',
    l1Rpc: url(batcherLinks, 'l1', 'rpc'),
    l2Rpc: sequencing.map((node) => url(batcherLinks, node.name, 'el')).join(','),
    rollupRpc: sequencing.map((node) => url(batcherLinks, node.name, 'rollup')).join(','),
    privateKey: keys.batcher.privateKey,
    l1ChainId: topology.l1.chainId,
    l2ChainId: topology.l2.chainId,
    batchInbox: batchInboxAddress(topology.l2.chainId),
    maxChannelDuration: topology.batcher.maxChannelDuration,
    maxFrameSize: topology.batcher.maxFrameSize,
    batchType: topology.batcher.batchType === 'span' ? 1 : 0,
    pollMs: planDefaults.batcherPollMs,
    host: bindHost,
    ports: { rpc: innerPorts.batcher.rpc },
    stopped: false,
  }
  const batcher: ServicePlan = {
    name: 'batcher',
    role: 'batcher',
    program: 'lite',
    args: ['batcher', 'config.json'],
    env: {},
    ports: { rpc: port(innerPorts.batcher.rpc, hostPorts.batcher.rpc) },
    files: { 'config.json': json(batcherConfig) },
    readiness: { kind: 'http', port: 'rpc', path: '/healthz' },
    // The batcher polls its sequencer(s) every round and tolerates them being down: it needs only L1.
    dependsOn: ['l1'],
    links: batcherLinks,
  }

  const replicas = nodes.filter((node) => node !== sequencer)
  const proxydLinks: LinkPlan[] = []
  const proxyd = topology.proxyd.enabled
    ? [proxydService(topology, { bindHost, inner: innerPorts.proxyd, host: hostPorts.proxyd, sequencing, nodeUrl: (name) => url(proxydLinks, name, 'el'), links: proxydLinks })]
    : []
  const bootnode = discovery
    ? [bootnodeService(topology, { runtime, bindHost, inner: innerPorts.bootnode, host: hostPorts.bootnode, rollupJson: json(rollup) })]
    : []
  const conductors = conductorServices(topology, { runtime, bindHost, inner: innerConductors, host: hostConductors, url })
  // With settlement contracts on L1, a challenger checks every game against the sequencer's rollup node.
  const challenger = options.l1Contracts
    ? [challengerService(topology, { bindHost, port: port(innerPorts.challenger.metrics, hostPorts.challenger.metrics), node: sequencer.name, url })]
    : []
  const proposerLinks: LinkPlan[] = []
  const proposer = options.l1Contracts
    ? [proposerService(topology, {
        bindHost,
        inner: innerPorts.proposer,
        host: hostPorts.proposer,
        l1Url: url(proposerLinks, 'l1', 'rpc'),
        rollupUrls: sequencing.map((node) => url(proposerLinks, node.name, 'rollup')),
        factory: l1Deployment(topology).addresses.DisputeGameFactoryProxy,
        privateKey: keys.proposer.privateKey,
        links: proposerLinks,
      })]
    : []
  const l1ClockLinks: LinkPlan[] = []
  const l1Clock = l1ClockService(topology, { held: options.holdL1 ?? true, bindHost, inner: innerPorts.l1Clock, host: hostPorts.l1Clock, genesisTime, l1Rpc: url(l1ClockLinks, 'l1', 'rpc'), links: l1ClockLinks })
  const services = [l1, l1Clock, ...bootnode, nodeService(sequencer), ...replicas.map(nodeService), ...conductors, batcher, ...proposer, ...proxyd, ...challenger]
  // Every lite program reads the devnet clock (none at speed 1: the wall clock, as before).
  const clock = clockEnv(devnetClock(genesisTime * 1000, speed))
  for (const service of services) if (service.program === 'lite') Object.assign(service.env, clock)
  // A lite program that needs L1 waits for it in its launcher: it starts beside L1, not after it.
  for (const service of services) {
    if (service.program !== 'lite' || !service.dependsOn.includes('l1')) continue
    service.env[WAIT_FOR_ENV] = url(service.links, 'l1', 'rpc')
    service.waitsFor = ['l1']
  }
  return { name: topology.name, services }
}

/**
 * Refuses a speed the devnet cannot run at: out of range, or a topology with a part that keeps wall time.
 * @throws DevnetError `DEVNET_USAGE`
 */
export function checkSpeed(topology: Topology, speed: number): void {
  const problem = speedProblem(speed)
  if (problem) throw new DevnetError(`--speed: ${problem}`, { code: 'DEVNET_USAGE' })
  if (speed !== 1 && conductorNodes(topology).length > 0) {
    throw new DevnetError(`--speed ${speed} cannot run a topology with conductors (${conductorNodes(topology).join(', ')})`, {
      code: 'DEVNET_USAGE',
      details: "op-conductor's consensus runs on etcd, whose raft election and lease timeouts are wall time and cannot run faster than real time; run conductor topologies at --speed 1",
    })
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/**
 * The rollup nodes of a plan that sequence from the start (sequencer enabled and not stopped: not a
 * standby, not under a conductor), read from their configs, with each one's L2 block time in seconds.
 */
export function startingSequencers(plan: DevnetPlan): Array<{ name: string; blockTime: number }> {
  return plan.services.flatMap((s) => {
    if (s.program !== 'lite' || s.args[0] !== 'rollup-node' || !s.files['config.json']) return []
    const config = JSON.parse(s.files['config.json']) as RollupNodeConfig
    return config.sequencer.enabled && !config.sequencer.stopped ? [{ name: s.name, blockTime: config.rollup.block_time }] : []
  })
}

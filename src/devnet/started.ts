/**
 * A started devnet: the {@link Devnet} interface (endpoints, viem clients, keys, service handles, status,
 * stop) and its implementation over the runtime's handles. `start.ts` starts one.
 */
import { createPublicClient, http, type Chain, type HttpTransport, type PublicClient } from 'viem'
import { DevnetError } from '../errors.js'
import { devKeys, KEY_ROLES, type DevKeys } from '../plan/keys.js'
import type { L1Addresses } from '../plan/l1Deployment.js'
import type { DevnetPlan, ServicePlan } from '../plan/types.js'
import type { DevnetClock } from '../protocol/clock.js'
import type { Runtime, ServiceHandle } from '../runtime/types.js'
import type { Topology } from '../topology/types.js'
import { devnetChains, devnetContracts, type DevnetChains, type DevnetContracts } from './chains.js'
import { planClock } from './clock.js'
import { removeDescriptor, withWebSocketEndpoints, type DevnetDescriptor } from './descriptor.js'
import { withHeads } from './heads.js'
import { wipeServiceState } from './serviceState.js'

/** A started devnet. Stop it with `stop()` or `await using`. */
export interface Devnet extends AsyncDisposable {
  readonly name: string
  readonly topology: Topology
  readonly plan: DevnetPlan
  /** Absolute state directory. */
  readonly stateDir: string
  /** L1 and L2 genesis timestamp, seconds. */
  readonly genesisTime: number
  /** The devnet clock (`protocol/clock.ts`): chain time = genesis + (wall - genesis) * speed; speed 1 is the wall clock. */
  readonly clock: DevnetClock
  /** The runtime the services run on (its primitives: partition, heal, link faults where it has them). */
  readonly runtime: Runtime
  /** DEV ONLY keys of the topology's mnemonic. */
  readonly keys: DevKeys
  /** Public endpoints: service → port name → URL, e.g. `endpoints.sequencer.el`. */
  readonly endpoints: Record<string, Record<string, string>>
  /** viem chain objects of L1 and L2 (L2 with `sourceId` and the L1 contracts viem's op-stack actions use). */
  readonly chains: DevnetChains
  /** Addresses of the settlement contracts (op-deployer's names) and of the L2 predeploys. */
  readonly contracts: DevnetContracts
  /** viem public client of L1. */
  readonly l1: PublicClient<HttpTransport, Chain>
  /** viem public client of a rollup node's L2 execution RPC (`el`). @param node @default the sequencer */
  l2(node?: string): PublicClient<HttpTransport, Chain>
  /** The runtime handle of a service (stop, kill, pause, logs, ...). */
  service(name: string): ServiceHandle
  /** The descriptor with current service states (no RPC calls). */
  descriptor(): DevnetDescriptor
  /** The descriptor plus heads: `optimism_syncStatus` of each rollup node and the L1 head. */
  status(): Promise<DevnetDescriptor>
  /**
   * Deletes a service's persisted state (a rollup node's data directory: its engine snapshot and heads),
   * so its next start is a cold start from genesis, like op-geth on an empty datadir. Call it while the
   * service is stopped or crashed; services without persisted state are left as they are.
   */
  wipeState(service: string): void
  /** Stops every service in reverse start order and removes `devnet.json`. Idempotent: returns the in-flight promise. */
  stop(): Promise<void>
}

function publicEndpoints(service: ServicePlan, handle: ServiceHandle): Record<string, string> {
  return withWebSocketEndpoints(service.role, Object.fromEntries(Object.entries(service.ports).filter(([, p]) => p.public).map(([name]) => [name, handle.endpoint(name)])))
}

/** The {@link Devnet} that `startDevnet` returns, over the runtime's service handles. */
export class StartedDevnet implements Devnet {
  readonly name: string
  readonly topology: Topology
  readonly plan: DevnetPlan
  readonly stateDir: string
  readonly genesisTime: number
  readonly clock: DevnetClock
  readonly keys: DevKeys
  readonly endpoints: Record<string, Record<string, string>>
  readonly l1: PublicClient<HttpTransport, Chain>
  readonly runtime: Runtime
  readonly #handles: Map<string, ServiceHandle>
  readonly #l2 = new Map<string, PublicClient<HttpTransport, Chain>>()
  readonly #l2Chain: Chain
  #stopping?: Promise<void>

  readonly chains: DevnetChains
  readonly contracts: DevnetContracts

  constructor(args: {
    topology: Topology
    plan: DevnetPlan
    stateDir: string
    genesisTime: number
    runtime: Runtime
    handles: Map<string, ServiceHandle>
    l1Contracts: L1Addresses
  }) {
    this.name = args.topology.name
    this.topology = args.topology
    this.plan = args.plan
    this.stateDir = args.stateDir
    this.genesisTime = args.genesisTime
    this.clock = planClock(args.plan)
    this.keys = devKeys(args.topology)
    this.runtime = args.runtime
    this.#handles = args.handles
    this.endpoints = Object.fromEntries(args.plan.services.map((s) => [s.name, publicEndpoints(s, args.handles.get(s.name)!)]))
    const l1Url = this.endpoints.l1.rpc
    this.chains = devnetChains({ topology: args.topology, name: this.name, l1Url, l2Url: this.endpoints[this.#sequencer()].el, l1: args.l1Contracts })
    this.contracts = devnetContracts(args.l1Contracts)
    this.#l2Chain = this.chains.l2
    this.l1 = createPublicClient({ chain: this.chains.l1, transport: http(l1Url) })
  }

  #sequencer(): string {
    return this.topology.l2.nodes.find((n) => n.role === 'sequencer')!.name
  }

  l2(node: string = this.#sequencer()): PublicClient<HttpTransport, Chain> {
    let client = this.#l2.get(node)
    if (!client) {
      if (!this.topology.l2.nodes.some((n) => n.name === node)) {
        throw new DevnetError(`no rollup node named ${JSON.stringify(node)} in devnet "${this.name}"`, {
          code: 'DEVNET_USAGE',
          details: `nodes: ${this.topology.l2.nodes.map((n) => n.name).join(', ')}`,
        })
      }
      client = createPublicClient({ chain: this.#l2Chain, transport: http(this.endpoints[node].el) }) as PublicClient<HttpTransport, Chain>
      this.#l2.set(node, client)
    }
    return client
  }

  service(name: string): ServiceHandle {
    const handle = this.#handles.get(name)
    if (!handle) {
      throw new DevnetError(`no service named ${JSON.stringify(name)} in devnet "${this.name}"`, {
        code: 'DEVNET_USAGE',
        details: `services: ${[...this.#handles.keys()].join(', ')}`,
      })
    }
    return handle
  }

  wipeState(service: string): void {
    const plan = this.plan.services.find((s) => s.name === service) ?? this.service(service).plan
    wipeServiceState(this.stateDir, plan)
  }

  descriptor(): DevnetDescriptor {
    const keys = this.keys
    return {
      name: this.name,
      runtime: this.runtime.kind,
      stateDir: this.stateDir,
      services: this.plan.services.map((service) => {
        const handle = this.#handles.get(service.name)!
        return {
          name: service.name,
          role: service.role,
          state: handle.state(),
          endpoints: this.endpoints[service.name],
          pid: Number(handle.id) || 0,
        }
      }),
      keys: Object.fromEntries(KEY_ROLES.map((role) => [role, { address: keys[role].address, privateKey: keys[role].privateKey }])) as DevnetDescriptor['keys'],
      accounts: keys.accounts.map(({ index, address, privateKey }) => ({ index, address, privateKey })),
      chains: { l1: { chainId: this.topology.l1.chainId }, l2: { chainId: this.topology.l2.chainId } },
      contracts: this.contracts,
    }
  }

  status(): Promise<DevnetDescriptor> {
    return withHeads(this.descriptor())
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.runtime.stopAll()
      removeDescriptor(this.stateDir)
    })()
    return this.#stopping
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }
}

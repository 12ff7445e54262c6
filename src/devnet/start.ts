/**
 * `startDevnet`: plan a topology, start its services in order on a runtime, and hand back a started
 * {@link Devnet} (testcontainers style: `await using devnet = await startDevnet()`).
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPublicClient, http, type Chain, type HttpTransport, type PublicClient } from 'viem'
import { DevnetError } from '../errors.js'
import { devKeys, KEY_ROLES, type DevKeys } from '../plan/keys.js'
import { checkSpeed, planDevnet } from '../plan/plan.js'
import type { L1Addresses } from '../plan/l1Deployment.js'
import { devnetChains, devnetContracts, type DevnetChains, type DevnetContracts } from './chains.js'
import { resolvePorts } from './ports.js'
import { paceL1, planClock } from './clock.js'
import type { DevnetClock } from '../protocol/clock.js'
import { wipeServiceState } from './serviceState.js'
import { codeCacheDir } from './cacheDir.js'
import { prepareSettlement } from './settlement.js'
import type { DevnetPlan, ServicePlan } from '../plan/types.js'
import { ProcessRuntime } from '../runtime/process/index.js'
import { portFree } from '../runtime/ports.js'
import type { Runtime, ServiceHandle } from '../runtime/types.js'
import { loadTopology } from '../topology/parse.js'
import type { Topology } from '../topology/types.js'
import { defaultStateDir, removeDescriptor, withWebSocketEndpoints, writeAttachData, writeDescriptor, type DevnetDescriptor } from './descriptor.js'
import { formConductorCluster } from './conductors.js'
import { withHeads } from './heads.js'
import { liveServiceDirs } from './recorded.js'

/** A progress event of `startDevnet`, one per service and phase, in start order. */
export interface DevnetEvent {
  service: string
  phase: 'starting' | 'ready' | 'failed'
  /** Time since this service started starting (on `ready` and `failed`). */
  elapsedMs?: number
  /** The failure (on `failed`). */
  error?: unknown
}

export interface StartDevnetOptions {
  /** The topology; wins over `file`. @default loadTopology(file), i.e. the default topology without a file */
  topology?: Topology
  /** A `devnet.yaml` to load when no `topology` is given. */
  file?: string
  /** Where services run. @default 'docker' when an engine answers, else 'process' */
  runtime?: 'process' | 'docker'
  /** Overrides the topology's `ports`. */
  ports?: Topology['ports']
  /** State directory (service directories, logs, `devnet.json`). @default `.devnet/<name>` under the working directory */
  stateDir?: string
  /** Let the services outlive this process (`devnet up --detach`); stop them with `devnet down`. @default false */
  detach?: boolean
  /** L1 and L2 genesis timestamp, seconds. @default now */
  genesisTime?: number
  /** Devnet clock speed: chain time runs this many times faster than wall time (1 to 16; see `Devnet.clock`). @default 1 */
  speed?: number
  /** Per-service readiness timeout. @default defaults.readyTimeoutMs of runtime/waits */
  readyTimeoutMs?: number
  /** The lite component launcher. @default `<package root>/dist/components/main.js` */
  liteEntrypoint?: string
  /** Called once the devnet is planned and checked, before any service starts (e.g. to set up progress output). */
  onPlan?: (plan: DevnetPlan) => void
  /** Seed of the runtime's random choices (link loss, jitter), so a run can be replayed. @default none (unseeded) */
  seed?: number
  /** Progress callback. */
  onEvent?: (event: DevnetEvent) => void
  /** Notices worth a line on the terminal (e.g. the runtime chosen by default). */
  onNotice?: (message: string) => void
  /** Lite image build output (docker), one line at a time. */
  onImageProgress?: (line: string) => void
  /**
   * Aborts the start: the service being started is waited for, then everything started is stopped and
   * the abort reason is thrown (the CLI aborts on Ctrl-C).
   */
  signal?: AbortSignal
}

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

/** The package root (holds `dist/`, `docker/`, `package.json`). */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url))
}

/** Docker when an engine answers, otherwise the process runtime (with a one-line notice). */
export async function defaultRuntime(onNotice?: (message: string) => void): Promise<'process' | 'docker'> {
  const { dockerAvailable } = await import('../runtime/docker/index.js') // dockerode only when docker may be used
  if (await dockerAvailable()) return 'docker'
  onNotice?.('no Docker engine answered: running services as local processes (--runtime process)')
  return 'process'
}

/** Absolute path of `dist/components/main.js`; `src/devnet` and `dist/devnet` both sit two levels under the package root. */
export function defaultLiteEntrypoint(): string {
  return fileURLToPath(new URL('../../dist/components/main.js', import.meta.url))
}

/**
 * Plans a topology and starts it: L1, the rollup nodes, the batcher, each waited for in order.
 * Refuses to start when a devnet already runs in the state directory. On a start failure it stops what it
 * started (logs stay in the state directory) and rethrows the `ServiceError`.
 *
 * @throws DevnetError `DEVNET_ALREADY_RUNNING`, `DEVNET_RUNTIME_UNAVAILABLE`, spec errors, or the `ServiceError` of the failed service.
 * @example
 * await using devnet = await startDevnet({ ports: 'auto', stateDir: tmp })
 * await devnet.l2().getBlockNumber()
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const topology = options.topology ? structuredClone(options.topology) : await loadTopology(options.file)
  if (options.ports) topology.ports = options.ports
  const runtimeKind = options.runtime ?? (await defaultRuntime(options.onNotice))
  if (topology.profile !== 'lite') {
    throw new DevnetError(`the ${topology.profile} profile is not available yet`, { code: 'DEVNET_RUNTIME_UNAVAILABLE', details: 'use profile: lite' })
  }
  checkSpeed(topology, options.speed ?? 1) // before any work: a speed the topology cannot run at
  const stateDir = resolve(options.stateDir ?? defaultStateDir(topology.name))
  // On docker the runtime itself refuses a live devnet of the same name (by label).
  const live = runtimeKind === 'process' ? liveServiceDirs(stateDir) : []
  if (live.length) {
    throw new DevnetError(`devnet "${topology.name}" is already running in ${stateDir}`, {
      code: 'DEVNET_ALREADY_RUNNING',
      details: `running: ${live.join(', ')}; stop it with \`devnet down --name ${topology.name}\` or choose another name or state directory`,
    })
  }
  const genesisTime = options.genesisTime ?? Math.floor(Date.now() / 1000)
  // Before picking ports: the throwaway anvils of the settlement bind ports of their own.
  const settlement = await prepareSettlement(topology, genesisTime)
  const plan = planDevnet(topology, { runtime: runtimeKind, ports: await resolvePorts(topology), genesisTime, l1Contracts: settlement.contracts, speed: options.speed ?? 1 })
  const clock = planClock(plan)
  if (topology.ports === 'stable') await assertPortsFree(plan)
  const liteEntrypoint = options.liteEntrypoint ?? defaultLiteEntrypoint()
  if (plan.services.some((s) => s.program === 'lite') && !existsSync(liteEntrypoint)) {
    throw new DevnetError(`the lite components are not built: ${liteEntrypoint} does not exist`, {
      code: 'DEVNET_RUNTIME_UNAVAILABLE',
      details: 'run `npm run build`',
    })
  }

  options.onPlan?.(plan)
  mkdirSync(stateDir, { recursive: true })
  // A new devnet has a new L1: state persisted by an earlier devnet of this name is meaningless.
  for (const service of plan.services) wipeServiceState(stateDir, service)
  removeDescriptor(stateDir) // a stale one from a devnet that died
  const seeded = options.seed === undefined ? {} : { seed: options.seed }
  const runtime: Runtime =
    runtimeKind === 'docker'
      ? await import('../runtime/docker/index.js').then(async ({ DockerRuntime, ensureLiteImage }) => new DockerRuntime({
          devnet: topology.name,
          stateDir,
          image: (await ensureLiteImage({ repoRoot: packageRoot(), onProgress: options.onImageProgress })).tag,
          sessionId: randomUUID(),
          keepAliveOnExit: options.detach ?? false,
          codeCacheDir: codeCacheDir('docker'),
          ...seeded,
        }))
      : new ProcessRuntime({ stateDir, liteEntrypoint, keepAliveOnExit: options.detach ?? false, codeCacheDir: codeCacheDir(), ...seeded })
  // The link proxy process starts with the first service that has links: start it beside L1 instead.
  const linksUp = runtime instanceof ProcessRuntime && plan.services.some((s) => s.links?.length) ? runtime.links.admin().catch(() => {}) : undefined
  const handles = new Map<string, ServiceHandle>()
  const emit = (event: DevnetEvent) => {
    try {
      options.onEvent?.(event)
    } catch {
      // a progress callback must not break the start
    }
  }
  // Each service starts as soon as the services it depends on are ready, or beside those it waits for
  // itself (`waitsFor`, e.g. L1): independent ones start side by side. The first failure ends the others'
  // readiness waits, so nothing waits out its timeout for an L1 that will never answer.
  const started = new Map<string, Promise<void>>()
  const failFast = new AbortController()
  let firstFailure: { error: unknown } | undefined
  const startOne = async (service: ServicePlan): Promise<void> => {
    const itself = new Set(service.waitsFor ?? [])
    await Promise.all(service.dependsOn.filter((d) => !itself.has(d)).map((d) => started.get(d)))
    if (options.signal?.aborted) throw abortError(options.signal)
    failFast.signal.throwIfAborted() // another service failed meanwhile: start nothing more
    const t0 = Date.now()
    emit({ service: service.name, phase: 'starting' })
    try {
      const handle = await runtime.start(service, { readyTimeoutMs: options.readyTimeoutMs, signal: failFast.signal })
      handles.set(service.name, handle)
      if (service.role === 'l1') await paceL1(handle.endpoint('rpc'), clock, topology.l1.blockTime)
    } catch (error) {
      if (failFast.signal.aborted) throw error // stopped for another service's failure, which is the one reported
      firstFailure = { error }
      failFast.abort(new Error(`${service.name} failed to start`))
      emit({ service: service.name, phase: 'failed', elapsedMs: Date.now() - t0, error })
      throw error
    }
    emit({ service: service.name, phase: 'ready', elapsedMs: Date.now() - t0 })
  }
  for (const service of plan.services) started.set(service.name, startOne(service))
  const outcomes = await Promise.allSettled(started.values())
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
  await linksUp // started (and so stopped below) or failed, never left starting
  if (failed) {
    await runtime.stopAll().catch(() => {})
    throw (firstFailure ?? { error: failed.reason }).error
  }

  if (options.signal?.aborted) {
    await runtime.stopAll().catch(() => {})
    throw abortError(options.signal)
  }
  const devnet = new StartedDevnet({ topology, plan, stateDir, genesisTime, runtime, handles, l1Contracts: settlement.addresses })
  try {
    await formConductorCluster(topology, plan, devnet.endpoints)
    writeDescriptor(devnet.descriptor())
    writeAttachData(stateDir, { topology, plan, liteEntrypoint })
  } catch (error) {
    await runtime.stopAll().catch(() => {})
    throw error
  }
  return devnet
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof Error && signal.reason.name !== 'AbortError'
    ? signal.reason
    : new DevnetError('devnet start was aborted', { code: 'DEVNET_USAGE' })
}

/** Fails fast, naming the port, when a stable port is taken (e.g. by another devnet). */
async function assertPortsFree(plan: DevnetPlan): Promise<void> {
  for (const service of plan.services) {
    for (const [name, port] of Object.entries(service.ports)) {
      if (!(await portFree(port.host))) {
        throw new DevnetError(`port ${port.host} (${service.name} ${name}) is already in use on 127.0.0.1`, {
          code: 'DEVNET_RUNTIME_UNAVAILABLE',
          details: 'stop whatever holds it (`devnet down`?) or use `ports: auto` / `devnet up --ports auto`',
        })
      }
    }
  }
}

function publicEndpoints(service: ServicePlan, handle: ServiceHandle): Record<string, string> {
  return withWebSocketEndpoints(service.role, Object.fromEntries(Object.entries(service.ports).filter(([, p]) => p.public).map(([name]) => [name, handle.endpoint(name)])))
}

class StartedDevnet implements Devnet {
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

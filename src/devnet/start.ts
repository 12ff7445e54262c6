/**
 * `startDevnet`: plan a topology, start its services in order on a runtime, and hand back a started
 * {@link Devnet} (testcontainers style: `await using devnet = await startDevnet()`).
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DevnetError } from '../errors.js'
import { checkSpeed, planDevnet } from '../plan/plan.js'
import { resolvePorts } from './ports.js'
import { resumeL1, sequencersCaughtUp } from './clock.js'
import { wipeServiceState } from './serviceState.js'
import { cacheDir, codeCacheDir } from './cacheDir.js'
import { prepareSettlement } from './settlement.js'
import { isRollupNode, type DevnetPlan, type ServicePlan } from '../plan/types.js'
import { ProcessRuntime } from '../runtime/process/index.js'
import { portFree } from '../runtime/ports.js'
import { engineSocketMissing } from '../runtime/docker/socket.js'
import type { Runtime, ServiceHandle } from '../runtime/types.js'
import { loadTopology } from '../topology/parse.js'
import type { Topology } from '../topology/types.js'
import { defaultStateDir, removeDescriptor, writeAttachData, writeDescriptor } from './descriptor.js'
import { formConductorCluster } from './conductors.js'
import { liveServiceDirs } from './recorded.js'
import { StartedDevnet, type Devnet } from './started.js'

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
  /**
   * Per-service readiness timeout. @default the runtime's (process 30 s, docker 60 s), plus
   * {@link startReadyAllowanceMs} for a devnet of more than two rollup nodes
   */
  readyTimeoutMs?: number
  /** The lite component launcher. @default `<package root>/dist/components/main.js` */
  liteEntrypoint?: string
  /**
   * Called once the devnet is planned and checked, before any service starts (e.g. to set up progress output);
   * again with new ports if a port found free was taken before its service bound it (`ports: auto`).
   */
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

/**
 * What a devnet's start adds to the runtime's readiness timeout: 1 s per rollup node beyond the default
 * topology's two, shared by the cores. Every rollup node loads its program and spawns its anvil at once, so
 * each becomes ready only once most of them have: at 50 replicas on two cores the first rollup node
 * answered 30-35 s after the start on a slow day, and the start failed on the sequencer's 30 s timeout.
 * There 24.5 s more; 0 for the default topology.
 */
export function startReadyAllowanceMs(plan: Pick<DevnetPlan, 'services'>, cores: number): number {
  const nodes = plan.services.filter((s) => isRollupNode(s.role)).length
  return Math.round((Math.max(0, nodes - 2) * 1000) / Math.max(1, cores))
}

/** The package root (holds `dist/`, `docker/`, `package.json`). */
export function packageRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url))
}

/** Docker when an engine answers, otherwise the process runtime (with a one-line notice). */
export async function defaultRuntime(onNotice?: (message: string) => void): Promise<'process' | 'docker'> {
  // dockerode only when docker may be used: without a socket to dial, no engine can answer.
  if (!engineSocketMissing()) {
    const { dockerAvailable } = await import('../runtime/docker/index.js')
    if (await dockerAvailable()) return 'docker'
  }
  onNotice?.('no Docker engine answered: running services as local processes (--runtime process)')
  return 'process'
}

/** Absolute path of `dist/components/main.js`; `src/devnet` and `dist/devnet` both sit two levels under the package root. */
export function defaultLiteEntrypoint(): string {
  return fileURLToPath(new URL('../../dist/components/main.js', import.meta.url))
}

/**
 * Plans a topology and starts it: L1, the rollup nodes, the batcher, each waited for in order; then lets L1
 * mine (the L1 clock starts held, so the start's duration uses up none of the sequencing window).
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
  const liteEntrypoint = options.liteEntrypoint ?? defaultLiteEntrypoint()
  for (let attempt = 1; ; attempt++) {
    const plan = planDevnet(topology, { runtime: runtimeKind, ports: await resolvePorts(topology), genesisTime, l1Contracts: settlement.contracts, speed: options.speed ?? 1 })
    if (topology.ports === 'stable') await assertPortsFree(plan)
    if (plan.services.some((s) => s.program === 'lite') && !existsSync(liteEntrypoint)) {
      throw new DevnetError(`the lite components are not built: ${liteEntrypoint} does not exist`, {
        code: 'DEVNET_RUNTIME_UNAVAILABLE',
        details: 'run `npm run build`',
      })
    }
    options.onPlan?.(plan)
    // Free ports are found before the services bind them: another program can take one meanwhile. With
    // `ports: auto` the start then begins again on other ports; stable ports are the user's to free.
    const retryOnClash = topology.ports === 'auto' && attempt < PORT_CLASH_ATTEMPTS
    let launched: Launched
    try {
      launched = await launchServices(plan, { topology, stateDir, runtimeKind, liteEntrypoint, options, retryOnClash })
    } catch (error) {
      if (!(error instanceof PortClash)) throw error
      options.onNotice?.(`${error.service}: a port found free was taken before it started (${error.reason}); starting again on other ports`)
      continue
    }
    const devnet = new StartedDevnet({ topology, plan, stateDir, genesisTime, runtime: launched.runtime, handles: launched.handles, l1Contracts: settlement.addresses })
    try {
      // L1 has mined nothing while the devnet started (the L1 clock starts held): no L1 block, and so none of
      // the sequencing window, passed however long the start took, nor while the sequencer catches up with
      // the clock. Its first block takes the current slot.
      const behind = await sequencersCaughtUp(plan, devnet.endpoints)
      for (const { node, blocksBehind } of behind) {
        const how = Number.isFinite(blocksBehind) ? `${blocksBehind} L2 blocks behind the clock` : 'not answering'
        options.onNotice?.(`${node} is ${how} and not catching up; L1 mines from now on, so the blocks it builds to catch up count against the sequencing window`)
      }
      await resumeL1(devnet.endpoints)
      await formConductorCluster(topology, plan, devnet.endpoints)
      writeDescriptor(devnet.descriptor())
      writeAttachData(stateDir, { topology, plan, liteEntrypoint })
    } catch (error) {
      await launched.runtime.stopAll().catch(() => {})
      throw error
    }
    return devnet
  }
}

/** Starts of a devnet with `ports: auto` in all, when its services find ports taken (the first and 2 more). */
const PORT_CLASH_ATTEMPTS = 3

/** A service could not bind a port found free for it: the start stopped everything and can begin again. */
class PortClash extends Error {
  constructor(readonly service: string, readonly reason: string, options: { cause: unknown }) {
    super(`${service}: port taken (${reason})`, options)
  }
}

/** The line of a failed start that says a port was taken (the runtime's check, a listener's or docker's words), if any. */
export function portTakenReason(error: unknown): string | undefined {
  // A DevnetError's message holds its meta lines (a ServiceError's last log lines) already.
  const line = String((error as Error)?.message ?? error).split('\n').map((l) => l.trim()).find((l) => /already in use|EADDRINUSE|port is already allocated/i.test(l))
  return line?.replace(/^service "[^"]+": /, '')
}

interface Launched {
  runtime: Runtime
  handles: Map<string, ServiceHandle>
}

/**
 * Starts the plan's services on a new runtime: each as soon as the services it depends on are ready. On a
 * failure it stops everything started and throws the first failure, or a {@link PortClash} when that was
 * a port taken and `retryOnClash` (then no `failed` event: the start goes on).
 */
async function launchServices(plan: DevnetPlan, ctx: { topology: Topology; stateDir: string; runtimeKind: 'process' | 'docker'; liteEntrypoint: string; options: StartDevnetOptions; retryOnClash: boolean }): Promise<Launched> {
  const { topology, stateDir, options, liteEntrypoint } = ctx
  mkdirSync(stateDir, { recursive: true })
  // A new devnet has a new L1: state persisted by an earlier devnet of this name (or an earlier attempt) is meaningless.
  for (const service of plan.services) wipeServiceState(stateDir, service)
  removeDescriptor(stateDir) // a stale one from a devnet that died
  const seeded = options.seed === undefined ? {} : { seed: options.seed }
  const runtime: Runtime =
    ctx.runtimeKind === 'docker'
      ? await import('../runtime/docker/index.js').then(async ({ DockerRuntime, ensureLiteImage }) => new DockerRuntime({
          devnet: topology.name,
          stateDir,
          image: (await ensureLiteImage({ repoRoot: packageRoot(), onProgress: options.onImageProgress })).tag,
          sessionId: randomUUID(),
          keepAliveOnExit: options.detach ?? false,
          codeCacheDir: codeCacheDir('docker'),
          probeCacheDir: cacheDir(),
          ...seeded,
        }))
      : new ProcessRuntime({ stateDir, liteEntrypoint, keepAliveOnExit: options.detach ?? false, codeCacheDir: codeCacheDir(), ...seeded })
  const readiness = { readyTimeoutMs: options.readyTimeoutMs, readyAllowanceMs: options.readyTimeoutMs === undefined ? startReadyAllowanceMs(plan, availableParallelism()) : 0 }
  // The link proxy process starts with the first service that has links: start it beside L1 instead.
  const linksUp = runtime instanceof ProcessRuntime && plan.services.some((s) => s.links?.length) ? runtime.links.admin(readiness).catch(() => {}) : undefined
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
      const handle = await runtime.start(service, { ...readiness, signal: failFast.signal })
      handles.set(service.name, handle)
    } catch (error) {
      if (failFast.signal.aborted) throw error // stopped for another service's failure, which is the one reported
      const taken = ctx.retryOnClash ? portTakenReason(error) : undefined
      firstFailure = { error: taken ? new PortClash(service.name, taken, { cause: error }) : error }
      failFast.abort(new Error(`${service.name} failed to start`))
      if (!taken) emit({ service: service.name, phase: 'failed', elapsedMs: Date.now() - t0, error })
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
  return { runtime, handles }
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

/**
 * The `docker` runtime: every service is a container `<devnet>-<service>` of the lite image, on the
 * devnet's own networks (one per link class: `<devnet>-rpc`, `<devnet>-p2p`), labelled with the session
 * for `sweep`. Faults act on Docker primitives: pause, kill, network disconnect/connect (partitions) and
 * netem in the container's namespace, or in-container link proxies without sch_netem (link faults,
 * `linkFaults.ts`). See docs/architecture.md (docker runtime).
 */
import type Docker from 'dockerode'
import { DevnetError, ServiceError } from '../../errors.js'
import type { LinkClass, ServicePlan } from '../../plan/types.js'
import type { Runtime, ServiceHandle, StartOptions } from '../types.js'
import { stopDependentsFirst } from '../stopOrder.js'
import { defaults } from '../waits.js'
import { dockerClient, dockerDefaults, engineMessage, labels as labelKeys, tolerate } from './engine.js'
import { hostUser, isInternalLink } from './container.js'
import type { LinkFault, LinkFaultResult } from '../types.js'
import { LinkFaults } from './linkFaults.js'
import { aliasOf, createNetwork, linkClasses, networkName } from './networks.js'
import { forgetNetwork, reapNetworkOnExit } from './reap.js'
import { DockerService, type ServiceContext } from './service.js'
import { sweep } from './sweep.js'

export { assertDockerAvailable, dockerAvailable, dockerClient, dockerDefaults, labels } from './engine.js'
export { buildBaseImage, buildLiteImage, imageDefaults, imageExists, liteImageTag, productionModules, resolveBaseImage } from './image.js'
export { ensureLiteImage, pruneLiteImages } from './liteImage.js'
export type { BuildOptions, BuiltImage, ImageOptions } from './image.js'
export { containerSpec, hostUser, isInternalLink, joinsP2p, type ContainerNetwork, type ContainerSpec } from './container.js'
export type { LinkFault } from './linkFault.js'
export { aliasOf, networkName } from './networks.js'
export { containerStates, isOrphan, sweep, type SweepOptions, type SweepResult } from './sweep.js'

export interface DockerRuntimeOptions {
  /** Devnet name: prefix of every container and network (`<devnet>-<service>`, `<devnet>-rpc`). */
  devnet: string
  /** Directory holding one subdirectory per service, bind-mounted at `/devnet/<service>`. */
  stateDir: string
  /** The lite image (`ensureLiteImage()`); runs `anvil` and `node /app/dist/components/main.js`. */
  image: string
  /** Label of every resource of this runtime (`op-devnet.session`). */
  sessionId: string
  /** Orchestrator pid recorded in `op-devnet.pid`; `sweep()` removes resources whose pid is gone. @default process.pid */
  ownerPid?: number
  /**
   * Let the containers outlive this process (`devnet up --detach`): labels them `op-devnet.detached=true`
   * (only `sweep({ devnet })` removes them) and registers no exit hook. @default false
   */
  keepAliveOnExit?: boolean
  /** Grace period of `docker stop` (rounded up to seconds) and of `kill()`. @default defaults.stopGraceMs */
  stopGraceMs?: number
  /** @default dockerClient() */
  docker?: Docker
  /** Private range for the devnet's /24 subnets. @default dockerDefaults.subnetPool */
  subnetPool?: string
  /**
   * DNS servers for names outside the devnet. Devnet names are answered by Docker's embedded DNS; others
   * go to the engine's default (the host's resolvers). Pointing this at nothing (`127.0.0.1`) makes every
   * failed lookup hang 10 s (EAI_AGAIN), so it is not the default.
   * @default the engine's default
   */
  dns?: string[]
  /** Image of the link-fault helper (needs node and `tc`/`nft`). @default image */
  toolsImage?: string
  /** `uid:gid` services run as. @default this process's uid:gid (Linux), so files in the state directory stay the user's */
  user?: string
  /** Link faults through in-container link proxies: where `tc netem` is missing (`auto`), always, or never. @default 'auto' */
  linkProxies?: 'auto' | 'always' | 'never'
  /** Seed of the link proxies' randomness (jitter, loss). @default 0 */
  seed?: string | number
  /**
   * Host directory for the lite programs' V8 code cache, mounted into their containers
   * (`DEVNET_CODE_CACHE`, see `components/main.ts`). @default none (each start compiles its code)
   */
  codeCacheDir?: string
  /** Host directory where the answer of the `tc netem` probe (`linkProxies: 'auto'`) is kept per engine and kernel. @default none (probed by every runtime) */
  probeCacheDir?: string
}

/** How `partition()` cuts: only libp2p gossip (`p2p`), or every link between groups (`all`). */
export interface PartitionOptions {
  /** @default 'p2p' */
  links?: 'p2p' | 'all'
}

interface Move {
  service: DockerService
  link: LinkClass
  /** The group network it moved to. */
  group: string
  /** The shared network it left, and its address there (given back on heal). */
  shared: string
  address?: string
}

interface Partition {
  links: 'p2p' | 'all'
  moves: Move[]
  networks: string[]
}

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/

/** Runs `ServicePlan`s as containers of the lite image. */
export class DockerRuntime implements Runtime, AsyncDisposable {
  readonly kind = 'docker'
  readonly options: DockerRuntimeOptions
  readonly docker: Docker
  #services: DockerService[] = []
  #networksReady?: Promise<void>
  /** Shared networks this runtime created, in creation order. */
  #networks: string[] = []
  #partition?: Partition
  readonly #linkFaults: LinkFaults
  readonly #context: ServiceContext

  constructor(options: DockerRuntimeOptions) {
    if (!validName.test(options.devnet)) {
      throw new DevnetError(`invalid devnet name ${JSON.stringify(options.devnet)} for Docker`, {
        code: 'DEVNET_USAGE',
        details: 'container and network names allow letters, digits, "_", "." and "-", starting with a letter or digit',
      })
    }
    this.options = options
    this.docker = options.docker ?? dockerClient()
    const user = options.user ?? hostUser()
    this.#context = {
      docker: this.docker,
      devnet: options.devnet,
      stateDir: options.stateDir,
      image: options.image,
      sessionId: options.sessionId,
      stopGraceMs: options.stopGraceMs ?? defaults.stopGraceMs,
      ...(options.dns ? { dns: options.dns } : {}),
      ...(user ? { user } : {}),
      ...(options.codeCacheDir ? { codeCacheDir: options.codeCacheDir } : {}),
      reapOnExit: !options.keepAliveOnExit,
      labels: (kind, service) => this.#labels(kind, service),
      ensureNetworks: () => this.#ensureNetworks(),
      onStarted: (service) => this.#linkFaults.reapply(service),
      onResumed: (service) => this.#linkFaults.reapply(service),
    }
    this.#linkFaults = new LinkFaults({
      docker: this.docker,
      toolsImage: options.toolsImage ?? options.image,
      linkProxies: options.linkProxies ?? 'auto',
      ...(options.probeCacheDir ? { probeCacheDir: options.probeCacheDir } : {}),
      seed: String(options.seed ?? 0),
      labels: (kind, service) => this.#labels(kind, service),
      services: () => this.#services,
    })
  }

  /** Handles of the services started so far, in start order. */
  services(): readonly ServiceHandle[] {
    return this.#services
  }

  /**
   * Creates the container, starts it and waits for readiness through the published port.
   * @throws ServiceError with the last log lines (the container is removed), or `DEVNET_ALREADY_RUNNING`
   *   when a live session owns the container name.
   */
  async start(plan: ServicePlan, options: StartOptions = {}): Promise<ServiceHandle> {
    const previous = this.#services.find((s) => s.name === plan.name)
    if (previous?.alive()) throw new ServiceError(plan.name, `already running (container ${previous.containerName})`)
    if (previous) {
      await previous.stop() // a killed container keeps its name until removed
      this.#services = this.#services.filter((s) => s !== previous)
    }
    const service = new DockerService(await this.#linkFaults.plan(plan), this.#context, (options.readyTimeoutMs ?? dockerDefaults.readyTimeoutMs) + (options.readyAllowanceMs ?? 0))
    this.#services.push(service)
    try {
      await service.launch(options.signal)
    } catch (error) {
      // a failed start removed its container; one that runs (a link fault failed to re-apply) stays for stopAll
      if (!service.container) this.#services = this.#services.filter((s) => s !== service)
      throw error
    }
    return service
  }

  /**
   * Removes every container, each once those that depend on it are gone (`stopOrder.ts`), then the
   * partition and shared networks; throws one `AggregateError` of the failures. Idempotent.
   */
  async stopAll(): Promise<void> {
    const failures = await stopDependentsFirst(this.#services, (service) => service.stop())
    const partition = this.#partition
    this.#partition = undefined
    for (const name of [...(partition?.networks ?? []), ...[...this.#networks].reverse()]) {
      try {
        await tolerate(this.docker.getNetwork(name).remove())
        forgetNetwork(name)
      } catch (error) {
        failures.push(new DevnetError(`cannot remove network ${name}: ${engineMessage(error)}`, { cause: error }))
      }
    }
    this.#networks = []
    this.#networksReady = undefined
    if (failures.length) throw new AggregateError(failures, `failed to stop ${failures.length} service(s) or network(s) of devnet "${this.options.devnet}"`)
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stopAll()
  }

  /**
   * Splits the services into groups that cannot reach each other over `links` (default `p2p`), by moving
   * groups onto networks of their own (`<devnet>-<link>-g<i>`). Services not named in any group form one
   * more group. One group stays on the shared network (the one with L1, else the unnamed rest if any, else
   * the largest), so its connections survive. A new partition replaces the current one. The published ports keep working.
   * @example
   * await runtime.partition([['sequencer', 'replica-0'], ['replica-1']])            // p2p only
   * await runtime.partition([['l1', 'sequencer', 'batcher'], ['replica-0']], { links: 'all' })
   */
  async partition(groups: string[][], options: PartitionOptions = {}): Promise<void> {
    const links = options.links ?? 'p2p'
    if (links !== 'p2p' && links !== 'all') throw new DevnetError(`unknown partition links ${JSON.stringify(links)} (p2p or all)`, { code: 'DEVNET_USAGE' })
    const seen = new Set<string>()
    for (const name of groups.flat()) {
      if (seen.has(name)) throw new DevnetError(`service "${name}" is in more than one partition group`, { code: 'DEVNET_USAGE' })
      seen.add(name)
      this.#service(name)
    }
    if (this.#partition) await this.heal()
    await this.#ensureNetworks()
    const state: Partition = { links, moves: [], networks: [] }
    this.#partition = state
    const { devnet } = this.options
    for (const link of links === 'all' ? linkClasses : (['p2p'] as const)) {
      const attached = (s: DockerService) => s.container !== undefined && (link === 'rpc' || s.onP2p)
      const live = this.#services.filter(attached)
      const members = groups.map((group) => live.filter((s) => group.includes(s.name)))
      const rest = live.filter((s) => !seen.has(s.name))
      const largest = members.reduce((best, group, i) => (group.length > (members[best]?.length ?? -1) ? i : best), 0)
      // A moved container's open connections are black-holed (nothing resets them), also those to members of
      // its own group: L1's group stays, as every service talks to L1; then the unnamed rest; else the largest.
      const withL1 = members.findIndex((group) => group.some((s) => s.name === 'l1'))
      const stays = withL1 >= 0 ? withL1 : rest.length ? -1 : largest
      if (withL1 >= 0 && rest.length) members.push(rest)
      const shared = networkName(devnet, link)
      for (const [i, group] of members.entries()) {
        if (i === stays || !group.length) continue
        const name = networkName(devnet, link, i)
        await createNetwork(this.docker, {
          name,
          internal: isInternalLink(link),
          pool: this.options.subnetPool ?? dockerDefaults.subnetPool,
          labels: { ...this.#labels('partition'), [labelKeys.link]: link },
        })
        state.networks.push(name)
        if (!this.options.keepAliveOnExit) reapNetworkOnExit(name)
        for (const service of group) {
          const address = await this.#addressOn(service, shared)
          // connect first, then disconnect: an rpc move hands the published ports over without a gap
          await this.docker.getNetwork(name).connect({ Container: service.id, EndpointConfig: { Aliases: [aliasOf(devnet, service.name, link)] } })
          await this.docker.getNetwork(shared).disconnect({ Container: service.id, Force: true })
          state.moves.push({ service, link, group: name, shared, ...(address ? { address } : {}) })
        }
      }
    }
    for (const service of unique(state.moves.map((move) => move.service))) await this.#linkFaults.reapply(service) // new interfaces
  }

  /** Undoes `partition()`: every moved container goes back to the shared network, at its old address if free. Idempotent. */
  async heal(): Promise<void> {
    const state = this.#partition
    if (!state) return
    this.#partition = undefined
    const failures: unknown[] = []
    const { devnet } = this.options
    for (const move of [...state.moves].reverse()) {
      if (!move.service.container) continue // removed meanwhile
      const id = move.service.id
      const aliases = [aliasOf(devnet, move.service.name, move.link)]
      try {
        try {
          await this.docker.getNetwork(move.shared).connect({
            Container: id,
            EndpointConfig: { Aliases: aliases, ...(move.address ? { IPAMConfig: { IPv4Address: move.address } } : {}) },
          })
        } catch (error) {
          if (!move.address) throw error
          await this.docker.getNetwork(move.shared).connect({ Container: id, EndpointConfig: { Aliases: aliases } }) // the address was taken meanwhile
        }
        await tolerate(this.docker.getNetwork(move.group).disconnect({ Container: id, Force: true }))
      } catch (error) {
        failures.push(new DevnetError(`cannot heal ${move.service.name} onto ${move.shared}: ${engineMessage(error)}`, { cause: error }))
      }
    }
    for (const name of state.networks) {
      try {
        await tolerate(this.docker.getNetwork(name).remove())
        forgetNetwork(name)
      } catch (error) {
        failures.push(new DevnetError(`cannot remove network ${name}: ${engineMessage(error)}`, { cause: error }))
      }
    }
    for (const service of unique(state.moves.map((move) => move.service))) await this.#linkFaults.reapply(service).catch((error: unknown) => failures.push(error))
    if (failures.length) throw new AggregateError(failures, `failed to heal the partition of devnet "${this.options.devnet}"`)
  }

  /** The current partition: which network each moved service is on, per link; `undefined` when healed. */
  partitioned(): { links: 'p2p' | 'all'; moved: { service: string; link: LinkClass; network: string }[] } | undefined {
    const state = this.#partition
    return state && { links: state.links, moved: state.moves.map((m) => ({ service: m.service.name, link: m.link, network: m.group })) }
  }

  /**
   * Delays, drops and/or caps what `service` sends; `undefined` clears it. `tc netem` in its network
   * namespace (nftables for loss alone), or the in-container link proxies where the kernel has no
   * `sch_netem` (`linkProxies`). The fault survives restarts and partition moves.
   * @throws DevnetError `DEVNET_RUNTIME_UNAVAILABLE` when netem is needed and missing (`linkProxies: 'never'`).
   * @example
   * await runtime.setLinkFault('replica-0', { delayMs: 200, jitterMs: 50, lossPercent: 5 }) // { via: 'netem', detail: 'netem delay 200ms 50ms loss 5% on eth0,eth1' }
   */
  setLinkFault(service: string, fault: LinkFault | undefined): Promise<LinkFaultResult> {
    return this.#linkFaults.set(this.#service(service), fault)
  }

  #service(name: string): DockerService {
    const found = this.#services.find((s) => s.name === name)
    if (!found) {
      throw new DevnetError(`devnet "${this.options.devnet}" has no service "${name}"`, {
        code: 'DEVNET_USAGE',
        details: `services: ${this.#services.map((s) => s.name).join(', ') || 'none started'}`,
      })
    }
    return found
  }

  async #addressOn(service: DockerService, network: string): Promise<string | undefined> {
    const info = await this.docker.getContainer(service.id).inspect()
    return info.NetworkSettings.Networks[network]?.IPAddress || undefined
  }

  #labels(kind: string, service?: string): Record<string, string> {
    return {
      [labelKeys.session]: this.options.sessionId,
      [labelKeys.devnet]: this.options.devnet,
      [labelKeys.pid]: String(this.options.ownerPid ?? process.pid),
      [labelKeys.kind]: kind,
      ...(service ? { [labelKeys.service]: service } : {}),
      ...(this.options.keepAliveOnExit ? { [labelKeys.detached]: 'true' } : {}),
    }
  }

  /**
   * Creates `<devnet>-rpc` and `<devnet>-p2p` once, after removing what an orphaned earlier run of the
   * same devnet left. A live or detached devnet of the same name is an error.
   */
  #ensureNetworks(): Promise<void> {
    this.#networksReady ??= (async () => {
      const { devnet } = this.options
      await sweep({ devnet, orphansOnly: true, docker: this.docker })
      for (const link of linkClasses) {
        const name = networkName(devnet, link)
        if (this.#networks.includes(name)) continue
        try {
          await createNetwork(this.docker, {
            name,
            internal: isInternalLink(link),
            pool: this.options.subnetPool ?? dockerDefaults.subnetPool,
            labels: { ...this.#labels('network'), [labelKeys.link]: link },
          })
        } catch (error) {
          const owner = await this.docker.getNetwork(name).inspect().then((info: Docker.NetworkInspectInfo) => info.Labels ?? {}, () => undefined)
          if (!owner) throw error
          if (owner[labelKeys.session] === this.options.sessionId) continue
          throw new DevnetError(`devnet "${devnet}" is already running on Docker (network ${name} exists)`, {
            code: 'DEVNET_ALREADY_RUNNING',
            details: owner[labelKeys.session]
              ? `session ${owner[labelKeys.session]}, orchestrator pid ${owner[labelKeys.pid] ?? '?'}${owner[labelKeys.detached] === 'true' ? ' (detached)' : ''}; stop it with \`devnet down --name ${devnet}\``
              : `network ${name} was not created by op-devnet; remove it or choose another devnet name`,
            cause: error,
          })
        }
        this.#networks.push(name)
        if (!this.options.keepAliveOnExit) reapNetworkOnExit(name)
      }
    })().catch((error: unknown) => {
      this.#networksReady = undefined
      throw error
    })
    return this.#networksReady
  }
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)]
}

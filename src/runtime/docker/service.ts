/**
 * One service as one container `<devnet>-<service>`: files bind-mounted at `/devnet/<service>` (also the
 * workdir), ports published on 127.0.0.1, output attached before start and copied to
 * `<stateDir>/<service>/service.log` and a ring buffer; readiness through the published port (see
 * `readiness.ts`) while the attach stream tells an early exit.
 */
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs'
import { join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import type Docker from 'dockerode'
import { DevnetError, ServiceError } from '../../errors.js'
import type { ServicePlan } from '../../plan/types.js'
import { writeServiceFiles } from '../files.js'
import { isProcessAlive } from '../process/group.js'
import { READY_FILE_ENV } from '../../components/shared/lifecycle.js'
import type { ServiceHandle, ServiceState } from '../types.js'
import { WaitTimeoutError } from '../waits.js'
import { engineMessage, labels as labelKeys, pauseContainer, statusOf, tolerate } from './engine.js'
import { LineRing } from './lines.js'
import { signalInContainer } from './signal.js'
import { waitReady, whenFileExists } from './readiness.js'
import { containerSpec, joinsP2p } from './container.js'
import { aliasOf } from './networks.js'
import { forgetContainer, reapContainerOnExit } from './reap.js'

/** Log lines attached to a `ServiceError`. */
const errorLogLines = 20
/** Lines kept in each service's ring buffer. */
const ringLines = 200
/** The file a lite program creates in its directory once it is ready (`DEVNET_READY_FILE`). */
const readyFile = '.ready'

/** What a service needs from its runtime. */
/** Where a lite container sees the host's code cache directory. */
export const codeCacheMount = '/var/cache/op-devnet/code'

export interface ServiceContext {
  readonly docker: Docker
  readonly devnet: string
  readonly stateDir: string
  readonly image: string
  readonly sessionId: string
  readonly stopGraceMs: number
  readonly dns?: string[]
  /** `uid:gid` the program runs as (so files it writes in the bind mount belong to the host user). */
  readonly user?: string
  /** Host directory of the lite programs' code cache, mounted at {@link codeCacheMount}. */
  readonly codeCacheDir?: string
  /** Reap containers when this process exits. */
  readonly reapOnExit: boolean
  /** Labels of a resource of this session. */
  labels(kind: string, service?: string): Record<string, string>
  /** Creates the devnet's networks if needed. */
  ensureNetworks(): Promise<void>
  /** Called after every (re)start once ready: re-applies link faults, whose rules lived in the old namespace. */
  onStarted(service: DockerService): Promise<void>
  /** Called after `docker unpause` (link faults set meanwhile reach the container's proxies). */
  onResumed(service: DockerService): Promise<void>
}

interface Exit {
  code: number
  oomKilled: boolean
  error?: string
}

function describeExit(exit: Exit): string {
  const code = exit.code > 128 && exit.code < 160 ? `code ${exit.code} (signal ${exit.code - 128})` : `code ${exit.code}`
  return `exited with ${code}${exit.oomKilled ? ', out of memory' : ''}${exit.error ? `: ${exit.error}` : ''}`
}

/** The `ServiceHandle` of a container. */
export class DockerService implements ServiceHandle, AsyncDisposable {
  readonly name: string
  readonly dir: string
  readonly logFile: string
  /** Container name, also its DNS name on the rpc network. */
  readonly containerName: string
  #state: ServiceState = 'starting'
  #container?: Docker.Container
  #id = ''
  /** The current run is attached and has not ended. */
  #running = false
  #ended: Promise<void> = Promise.resolve()
  #exit?: Exit
  #exitedBeforeReady?: AbortController
  #stopRequested = false
  #stopping?: Promise<void>
  #log?: WriteStream
  readonly #ring = new LineRing(ringLines)

  constructor(readonly plan: ServicePlan, readonly ctx: ServiceContext, readonly readyTimeoutMs: number) {
    this.name = plan.name
    this.dir = resolve(ctx.stateDir, plan.name)
    this.logFile = join(this.dir, 'service.log')
    this.containerName = aliasOf(ctx.devnet, plan.name, 'rpc')
  }

  /** The container id (the last one, after removal). */
  get id(): string {
    return this.#id
  }

  /** The container, while it exists. */
  get container(): Docker.Container | undefined {
    return this.#container
  }

  /** Whether the service joins the p2p network: it has a port named `p2p`. */
  get onP2p(): boolean {
    return joinsP2p(this.plan)
  }

  state(): ServiceState {
    return this.#state
  }

  /** Whether the container runs (or is paused). */
  alive(): boolean {
    return this.#running
  }

  endpoint(port: string): string {
    const p = this.plan.ports[port]
    if (!p) throw new DevnetError(`service "${this.name}" has no port "${port}" (has: ${Object.keys(this.plan.ports).join(', ') || 'none'})`, { code: 'DEVNET_USAGE' })
    return `${p.protocol}://127.0.0.1:${p.host}`
  }

  logs(lines: number = ringLines): string[] {
    return this.#ring.lines(lines)
  }

  /**
   * Creates the container if needed, attaches to its output, starts it and waits for readiness. On
   * failure removes the container and throws `ServiceError` with the last log lines.
   */
  async launch(abort?: AbortSignal): Promise<void> {
    this.#writeFiles()
    await this.ctx.ensureNetworks()
    this.#state = 'starting'
    this.#stopRequested = false
    this.#stopping = undefined
    this.#exit = undefined
    const exitedBeforeReady = (this.#exitedBeforeReady = new AbortController())
    const lite = this.plan.program === 'lite'
    const saidReady = join(this.dir, readyFile)
    rmSync(saidReady, { force: true }) // from the last run
    try {
      if (!this.#container) await this.#create()
      await this.#attach()
      await this.#container!.start()
    } catch (error) {
      await this.#discard().catch(() => {})
      this.#state = 'exited'
      if (error instanceof DevnetError) throw error
      throw new ServiceError(this.name, `cannot start container ${this.containerName}: ${engineMessage(error)}`, { logs: this.logs(errorLogLines), cause: error })
    }

    try {
      const waiting = abort ? AbortSignal.any([exitedBeforeReady.signal, abort]) : exitedBeforeReady.signal
      const looked = new AbortController()
      try {
        await waitReady(this.plan.readiness, (port) => this.endpoint(port), {
          timeoutMs: this.readyTimeoutMs,
          signal: waiting,
          ...(lite ? { ready: whenFileExists(saidReady, looked.signal) } : {}),
        })
      } finally {
        looked.abort() // stop looking for the file
      }
    } catch (error) {
      const timeout = error instanceof WaitTimeoutError
      if (this.#running) await tolerate(this.#container!.kill({ signal: 'SIGKILL' }), [404, 409])
      await this.#waitEnded(this.ctx.stopGraceMs)
      const exit = this.#exit
      const logs = this.logs(errorLogLines)
      await this.#discard().catch(() => {})
      this.#state = this.#stopRequested ? 'stopped' : 'exited'
      if (exit && !timeout && !this.#stopRequested) {
        throw new ServiceError(this.name, `${describeExit(exit)} before it was ready`, { logs, cause: error })
      }
      const reason = timeout ? `not ready after ${this.readyTimeoutMs} ms` : 'failed to become ready'
      throw new ServiceError(this.name, `${reason}: ${(error as Error).message}`, { logs, cause: error, timeout })
    }
    if (this.#state === 'starting') this.#state = 'running'
    await this.ctx.onStarted(this)
  }

  /** `docker stop` (SIGTERM, SIGKILL after the grace period), then removes the container. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (!this.#container) return
      if (this.#running) {
        this.#stopRequested = true
        await this.#stopContainer()
      }
      if (this.#state !== 'exited') this.#state = 'stopped'
      await this.#discard()
    })()
    return this.#stopping
  }

  /** Sends `signal` (default SIGKILL) and waits for the exit, SIGKILL after the grace period. The container stays (`exited`) for its logs until `stop()`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const container = this.#container
    if (!this.#running || !container) return
    const paused = this.#state === 'paused'
    await tolerate(container.kill({ signal }), [404, 409])
    if (paused) await container.unpause().catch(() => {}) // a frozen process handles (or dies of) the signal once thawed
    if (await this.#waitEnded(this.ctx.stopGraceMs)) return
    await tolerate(container.kill({ signal: 'SIGKILL' }), [404, 409])
    if (!(await this.#waitEnded(this.ctx.stopGraceMs))) throw new ServiceError(this.name, `container ${this.containerName} did not exit after SIGKILL`)
  }

  /** `docker pause`: freezes every process of the container (calls to it hang). */
  async pause(): Promise<void> {
    if (this.#state === 'paused') return
    this.#expect('running', 'pause')
    const container = this.#container!
    try {
      await pauseContainer(() => container.pause())
    } catch (error) {
      throw new ServiceError(this.name, `docker pause of ${this.containerName} failed: ${engineMessage(error)}`, { cause: error })
    }
    this.#state = 'paused'
  }

  async resume(): Promise<void> {
    if (this.#state === 'running') return
    this.#expect('paused', 'resume')
    await this.#container!.unpause()
    this.#state = 'running'
    await this.ctx.onResumed(this)
  }

  /** Signals one process inside the container (`docker exec` of node: the image has no `kill`); none when the container is not running. */
  async signalProcess(pid: number, signal: NodeJS.Signals): Promise<void> {
    if (this.#container && this.#running) await signalInContainer(this.#container, pid, signal)
  }

  /** Stops the container (keeping it: same ports, networks, filesystem) and starts it again; waits for readiness. */
  async restart(): Promise<void> {
    if (this.#running) {
      this.#stopRequested = true
      await this.#stopContainer()
    }
    await this.launch()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }

  #expect(state: ServiceState, action: string): void {
    if (this.#state !== state || !this.#running) {
      throw new ServiceError(this.name, `cannot ${action}: service is ${this.#state}`)
    }
  }

  async #stopContainer(): Promise<void> {
    const container = this.#container!
    if (this.#state === 'paused') await tolerate(container.unpause(), [404, 409, 500])
    await tolerate(container.stop({ t: Math.max(1, Math.ceil(this.ctx.stopGraceMs / 1000)) }))
    if (!(await this.#waitEnded(this.ctx.stopGraceMs + 5_000))) {
      throw new ServiceError(this.name, `container ${this.containerName} did not stop`)
    }
  }

  /** Waits until the current run's output stream has ended (the container stopped); `false` on timeout. */
  async #waitEnded(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)))
    const ended = await Promise.race([this.#ended.then(() => true), timedOut])
    clearTimeout(timer)
    return ended
  }

  async #create(): Promise<void> {
    const { plan, ctx } = this
    const c = containerSpec(plan, ctx.devnet)
    const exposed: Record<string, object> = {}
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {}
    for (const port of c.ports) {
      const key = `${port.container}/${port.udp ? 'udp' : 'tcp'}`
      exposed[key] = {}
      bindings[key] = [{ HostIp: c.hostIp, HostPort: String(port.host) }]
    }
    const [first, ...rest] = c.networks
    const binds = [`${this.dir}:${c.workingDir}`]
    const env = Object.entries(c.env).map(([key, value]) => `${key}=${value}`)
    if (plan.program === 'lite') env.push(`${READY_FILE_ENV}=${c.workingDir}/${readyFile}`)
    if (ctx.codeCacheDir && plan.program === 'lite') {
      mkdirSync(ctx.codeCacheDir, { recursive: true }) // by the host user, before docker would create it as root
      binds.push(`${ctx.codeCacheDir}:${codeCacheMount}`)
      env.push(`DEVNET_CODE_CACHE=${codeCacheMount}`)
    }
    const spec: Docker.ContainerCreateOptions = {
      name: c.name,
      Image: ctx.image,
      Entrypoint: c.entrypoint,
      Cmd: c.command,
      Env: env,
      WorkingDir: c.workingDir,
      ...(ctx.user ? { User: ctx.user } : {}),
      Labels: ctx.labels('service', plan.name),
      ExposedPorts: exposed,
      HostConfig: {
        Init: c.init,
        Binds: binds,
        PortBindings: bindings,
        NetworkMode: first!.name,
        Sysctls: c.sysctls,
        ...(ctx.dns ? { Dns: ctx.dns } : {}),
        LogConfig: { Type: c.logConfig.type, Config: c.logConfig.config },
        ...(c.cpuShares ? { CpuShares: c.cpuShares } : {}),
      },
      NetworkingConfig: { EndpointsConfig: { [first!.name]: { Aliases: [first!.alias] } } },
    }
    let container: Docker.Container
    try {
      container = await ctx.docker.createContainer(spec)
    } catch (error) {
      if (statusOf(error) !== 409 || !(await this.#removeOrphan())) throw error
      container = await ctx.docker.createContainer(spec)
    }
    this.#container = container
    this.#id = container.id
    if (ctx.reapOnExit) reapContainerOnExit(container.id)
    for (const network of rest) {
      await ctx.docker.getNetwork(network.name).connect({ Container: container.id, EndpointConfig: { Aliases: [network.alias] } })
    }
  }

  /**
   * The name is taken. Removes the container if an orchestrator that is gone left it (returns `true`);
   * throws `DEVNET_ALREADY_RUNNING` if it belongs to a live session or to a detached devnet.
   */
  async #removeOrphan(): Promise<boolean> {
    const existing = this.ctx.docker.getContainer(this.containerName)
    const info = await existing.inspect()
    const found = info.Config.Labels ?? {}
    const pid = Number(found[labelKeys.pid])
    const orphan = found[labelKeys.session] !== undefined && found[labelKeys.detached] !== 'true' && !(pid > 0 && isProcessAlive(pid))
    if (!orphan) {
      throw new DevnetError(`container ${this.containerName} already exists`, {
        code: 'DEVNET_ALREADY_RUNNING',
        details: found[labelKeys.session]
          ? `it belongs to op-devnet session ${found[labelKeys.session]} (orchestrator pid ${found[labelKeys.pid] ?? '?'}${found[labelKeys.detached] === 'true' ? ', detached' : ''}); stop that devnet first`
          : 'it was not created by op-devnet; remove it or choose another devnet name',
      })
    }
    await tolerate(existing.remove({ force: true, v: true }))
    return true
  }

  /** Attaches to stdout/stderr before start (nothing is missed) and watches for the end of the run. */
  async #attach(): Promise<void> {
    const container = this.#container!
    const stream = (await container.attach({ stream: true, stdout: true, stderr: true, logs: false })) as NodeJS.ReadableStream
    this.#log ??= createWriteStream(this.logFile, { flags: 'a' })
    const log = this.#log
    const sink = (source: string) =>
      new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          this.#ring.push(source, chunk)
          log.write(chunk)
          callback()
        },
      })
    this.ctx.docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'))
    this.#running = true
    this.#ended = new Promise<void>((resolveEnded) => {
      let done = false
      const end = () => {
        if (done) return
        done = true
        this.#ring.flush()
        void this.#onRunEnded().finally(resolveEnded)
      }
      stream.once('end', end)
      stream.once('close', end)
      stream.once('error', end)
    })
  }

  /** The output stream ended: records the exit (or re-attaches if the container still runs). */
  async #onRunEnded(): Promise<void> {
    const container = this.#container
    let state: Docker.ContainerInspectInfo['State'] | undefined
    try {
      state = container ? (await container.inspect()).State : undefined
    } catch {
      state = undefined
    }
    if (state?.Running && container === this.#container) {
      await this.#attach() // the engine dropped the stream, not the container
      await this.#ended
      return
    }
    this.#running = false
    this.#exit = { code: state?.ExitCode ?? -1, oomKilled: state?.OOMKilled ?? false, ...(state?.Error ? { error: state.Error } : {}) }
    this.#state = this.#stopRequested ? 'stopped' : 'exited'
    this.#exitedBeforeReady?.abort(new ServiceError(this.name, describeExit(this.#exit)))
  }

  /** Removes the container (if any) and closes the log file. */
  async #discard(): Promise<void> {
    const container = this.#container
    this.#container = undefined
    if (container) {
      await tolerate(container.remove({ force: true, v: true }), [404, 409])
      forgetContainer(container.id)
    }
    this.#running = false
    const log = this.#log
    this.#log = undefined
    if (log) await new Promise<void>((resolveClosed) => log.end(() => resolveClosed()))
  }

  #writeFiles(): void {
    writeServiceFiles(this.name, this.dir, this.plan.files)
  }
}

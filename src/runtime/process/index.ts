/**
 * The `process` runtime: every service is a child process on this host, in its own process group, with
 * its files, `pid` and `service.log` under `<stateDir>/<service>/`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { DevnetError, ServiceError } from '../../errors.js'
import { READY_FD_ENV } from '../../components/shared/lifecycle.js'
import type { ServicePlan } from '../../plan/types.js'
import { writeServiceFiles } from '../files.js'
import { portFree } from '../ports.js'
import { stopDependentsFirst } from '../stopOrder.js'
import type { LinkFault, LinkFaultResult, Runtime, ServiceHandle, ServiceState, StartOptions } from '../types.js'
import { WaitTimeoutError, defaults, waitFor } from '../waits.js'
import { anvilBinary } from './binary.js'
import { forgetGroup, killProcessGroup, linksServiceName, lowerPriority, pidFileName, reapGroupOnExit, signalPid, waitGroupGone } from './group.js'
import { defaultLinkProxyEntrypoint, ProcessLinks } from './links.js'
import { LogTail } from './logTail.js'

export { anvilBinary } from './binary.js'
export { isProcessAlive, killProcessGroup, stopRecorded } from './group.js'
export { linksServiceName, type LinkStatus } from './links.js'

export interface ProcessRuntimeOptions {
  /** Directory holding one subdirectory per service, e.g. `.devnet/<devnet>`. */
  stateDir: string
  /** Absolute path of the lite component launcher (`dist/components/main.js`). */
  liteEntrypoint: string
  /** Let services outlive this process (`devnet up --detach`); otherwise they are SIGKILLed on exit. @default false */
  keepAliveOnExit?: boolean
  /** Grace period between SIGTERM and SIGKILL. @default defaults.stopGraceMs */
  stopGraceMs?: number
  /** Seed of the link proxies' randomness (jitter, loss). @default 0 */
  seed?: string | number
  /** Launcher of the link proxy program (`main.js links`). @default this package's `dist/components/main.js` */
  linkProxyEntrypoint?: string
  /**
   * Directory of the lite programs' V8 code cache (`DEVNET_CODE_CACHE`, see `components/main.ts`): they
   * start on less CPU once it holds their compiled code. @default none (each start compiles its code)
   */
  codeCacheDir?: string
}

/** Log lines attached to a `ServiceError`. */
const errorLogLines = 20
/** Lines kept in each service's ring buffer. */
const ringLines = 200

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

function describeExit({ code, signal }: Exit): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`
}

/**
 * Runs `ServicePlan`s as detached child processes. Every link between services goes through its own
 * loopback proxy in the link proxy process (`links.ts`), started with the first service that has links;
 * `partition`, `heal` and `setLinkFault` act there.
 */
export class ProcessRuntime implements Runtime, AsyncDisposable {
  readonly kind = 'process'
  readonly #services: ProcessService[] = []
  /** The link proxies (started on demand, or attached to when another runtime started them). */
  readonly links: ProcessLinks

  constructor(readonly options: ProcessRuntimeOptions) {
    // The link proxies are runtime machinery: always this package's program, whatever runs the services.
    const linkOptions = { ...options, liteEntrypoint: options.linkProxyEntrypoint ?? defaultLinkProxyEntrypoint() }
    this.links = new ProcessLinks(options.stateDir, (plan, options) => this.#launch(plan, options, linkOptions), String(options.seed ?? 0))
  }

  /**
   * Registers the plan's links with the link proxies, writes the plan's files (placeholders substituted),
   * spawns the program and waits for readiness. Throws `ServiceError` on failure.
   */
  async start(plan: ServicePlan, options: StartOptions = {}): Promise<ServiceHandle> {
    const { plan: resolved, registered } = await this.links.resolve(plan)
    return this.#launch(resolved, options, this.options, registered)
  }

  /**
   * Cuts every link between services of different groups (`p2p`: only p2p links): carried connections
   * are reset, new ones refused (RST) until `heal`. Replaces the current partition.
   */
  async partition(groups: string[][], options: { links: 'p2p' | 'all' }): Promise<void> {
    await this.links.partition(groups, options.links)
  }

  async heal(): Promise<void> {
    await this.links.heal()
  }

  /** Shapes what `service` sends on every link it has (delay ± jitter, loss, bandwidth), in the link proxies. */
  setLinkFault(service: string, fault: LinkFault | undefined): Promise<LinkFaultResult> {
    return this.links.setFault(service, fault)
  }

  async #launch(plan: ServicePlan, options: StartOptions, runtimeOptions = this.options, linksRegistered?: Promise<void>): Promise<ServiceHandle> {
    const running = this.#services.find((s) => s.name === plan.name && s.alive())
    if (running) throw new ServiceError(plan.name, `already running (pid ${running.id})`)
    const service = new ProcessService(plan, runtimeOptions, (options.readyTimeoutMs ?? defaults.readyTimeoutMs) + (options.readyAllowanceMs ?? 0))
    await service.launch(true, options.signal, linksRegistered)
    this.#services.push(service)
    return service
  }

  /**
   * Stops every started service, each once those that depend on it have stopped (`stopOrder.ts`), the link
   * proxies last; throws one `AggregateError` of the failures.
   */
  async stopAll(): Promise<void> {
    const failures = await stopDependentsFirst(this.#services, (service) => service.stop(), (service) => service.name === linksServiceName)
    if (failures.length) throw new AggregateError(failures, `failed to stop ${failures.length} service(s)`)
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stopAll()
  }
}

class ProcessService implements ServiceHandle, AsyncDisposable {
  readonly name: string
  readonly dir: string
  readonly logFile: string
  #state: ServiceState = 'starting'
  #child?: ChildProcess
  #pid = 0
  #exit?: Exit
  #exited: Promise<Exit> = Promise.resolve({ code: null, signal: null })
  #stopRequested = false
  #stopping?: Promise<void>
  readonly #tail: LogTail

  constructor(readonly plan: ServicePlan, readonly options: ProcessRuntimeOptions, readonly readyTimeoutMs: number) {
    this.name = plan.name
    this.dir = resolve(options.stateDir, plan.name)
    this.logFile = join(this.dir, 'service.log')
    this.#tail = new LogTail(this.logFile, ringLines)
  }

  get id(): string {
    return String(this.#pid)
  }

  state(): ServiceState {
    return this.#state
  }

  /** Whether the current process has been spawned and has not exited. */
  alive(): boolean {
    return this.#child !== undefined && this.#exit === undefined
  }

  endpoint(port: string): string {
    const p = this.plan.ports[port]
    if (!p) throw new DevnetError(`service "${this.name}" has no port "${port}" (has: ${Object.keys(this.plan.ports).join(', ') || 'none'})`, { code: 'DEVNET_USAGE' })
    return `${p.protocol}://127.0.0.1:${p.host}`
  }

  logs(lines: number = ringLines): string[] {
    return this.#tail.lines(lines)
  }

  /**
   * Spawns the program and waits until it is ready and `linksRegistered` (its links listen); on failure kills
   * the group and throws `ServiceError`.
   */
  async launch(fresh: boolean, abort?: AbortSignal, linksRegistered?: Promise<void>): Promise<void> {
    // Another program answering on a port would pass the readiness check for this one, which then fails to bind.
    for (const [name, port] of Object.entries(this.plan.ports)) {
      if (port.protocol !== 'udp' && !(await portFree(port.host))) {
        throw new ServiceError(this.name, `port ${port.host} (${name}) is already in use on 127.0.0.1: another program holds it`)
      }
    }
    this.#writeFiles()
    if (fresh) this.#tail.skipExisting()
    const [command, args] = this.#command()
    const lite = this.plan.program === 'lite'
    const fd = openSync(this.logFile, 'a')
    let child: ChildProcess
    try {
      child = spawn(command, args, {
        cwd: this.dir,
        // A lite program says on descriptor 3 when its start is done (`components/shared/lifecycle.ts`).
        env: lite ? { ...liteProgramEnv(process.env), ...this.#liteEnv(), [READY_FD_ENV]: '3', ...this.plan.env } : { ...process.env, ...this.plan.env },
        detached: true,
        stdio: ['ignore', fd, fd, ...(lite ? (['pipe'] as const) : [])],
      })
    } finally {
      closeSync(fd)
    }
    this.#state = 'starting'
    this.#stopRequested = false
    this.#stopping = undefined
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve))
      this.#state = 'exited'
      throw new ServiceError(this.name, `failed to spawn ${command}: ${error.message}`, { cause: error })
    }
    child.on('error', () => {}) // errors after spawn are signal failures; `kill()` handles those itself
    this.#child = child
    this.#exit = undefined
    const pid = (this.#pid = child.pid)
    if (this.plan.nice) lowerPriority(pid, this.plan.nice)
    if (this.options.keepAliveOnExit) child.unref()
    else reapGroupOnExit(pid)
    writeFileSync(join(this.dir, pidFileName), `${pid}\n`)

    const exitedBeforeReady = new AbortController()
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { code, signal }
        this.#exit = exit
        this.#state = this.#stopRequested ? 'stopped' : 'exited'
        forgetGroup(pid)
        try {
          killProcessGroup(pid, 'SIGKILL') // leftovers of the group, if any
          rmSync(join(this.dir, pidFileName), { force: true })
        } catch {
          // best effort: a fault in one service must never crash the orchestrator
        }
        exitedBeforeReady.abort(new ServiceError(this.name, describeExit(exit)))
        resolve(exit)
      })
    })

    try {
      await Promise.all([
        waitFor(this.plan.readiness, (port) => this.endpoint(port), {
          timeoutMs: this.readyTimeoutMs,
          signal: abort ? AbortSignal.any([exitedBeforeReady.signal, abort]) : exitedBeforeReady.signal,
          ...(lite ? { ready: saysReady(child) } : {}),
        }),
        linksRegistered,
      ])
    } catch (error) {
      const timeout = error instanceof WaitTimeoutError
      const exitedItself = this.#exit !== undefined // before the kill below (a failed link registration kills it)
      if (this.alive()) await this.#terminate('SIGKILL')
      this.#state = this.#stopRequested ? 'stopped' : 'exited'
      const logs = this.logs(errorLogLines)
      if (this.#exit && exitedItself && !timeout && !this.#stopRequested) {
        throw new ServiceError(this.name, `${describeExit(this.#exit)} before it was ready`, { logs, cause: error })
      }
      const reason = timeout ? `not ready after ${this.readyTimeoutMs} ms` : 'failed to become ready'
      throw new ServiceError(this.name, `${reason}: ${(error as Error).message}`, { logs, cause: error, timeout })
    }
    if (this.#state === 'starting') this.#state = 'running'
  }

  /** SIGTERM to the group, SIGKILL after the grace period; waits for exit. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (!this.alive()) return
      this.#stopRequested = true
      await this.#terminate('SIGTERM')
    })()
    return this.#stopping
  }

  /** Sends `signal` to the group and waits for exit (SIGKILL after the grace period); the state is then `exited`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive()) return
    await this.#terminate(signal)
  }

  async pause(): Promise<void> {
    if (this.#state === 'paused') return
    this.#expect('running', 'pause')
    killProcessGroup(this.#pid, 'SIGSTOP')
    this.#state = 'paused'
  }

  async resume(): Promise<void> {
    if (this.#state === 'running') return
    this.#expect('paused', 'resume')
    killProcessGroup(this.#pid, 'SIGCONT')
    this.#state = 'running'
  }

  async signalProcess(pid: number, signal: NodeJS.Signals): Promise<void> {
    signalPid(pid, signal)
  }

  /** Stops (if alive) and starts again with the same plan and ports; waits for readiness. */
  async restart(): Promise<void> {
    if (this.alive()) await this.stop()
    await this.launch(false)
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }

  #expect(state: ServiceState, action: string): void {
    if (this.#state !== state || !this.alive()) {
      throw new ServiceError(this.name, `cannot ${action}: service is ${this.#state}`)
    }
  }

  /** Signals the group, waits up to the grace period, then SIGKILLs and waits for the process to exit. */
  async #terminate(signal: NodeJS.Signals): Promise<void> {
    const pid = this.#pid
    const grace = this.options.stopGraceMs ?? defaults.stopGraceMs
    // SIGTERM / SIGINT go to the program alone, as docker's init forwards them to its child only: the program
    // stops its own children (a rollup node snapshots its engine before stopping it). Others go to the group.
    const sent = signal === 'SIGTERM' || signal === 'SIGINT' ? signalProcess(pid, signal) : killProcessGroup(pid, signal)
    if (sent && signal !== 'SIGKILL') killProcessGroup(pid, 'SIGCONT') // a paused process must wake to handle it
    if (!(await this.#waitExit(grace))) {
      killProcessGroup(pid, 'SIGKILL')
      if (!(await this.#waitExit(grace))) throw new ServiceError(this.name, `pid ${pid} did not exit after SIGKILL`)
    }
    if (!(await waitGroupGone(pid, grace))) throw new ServiceError(this.name, `process group ${pid} did not exit after SIGKILL`)
  }

  async #waitExit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)))
    const exited = await Promise.race([this.#exited.then(() => true), timedOut])
    clearTimeout(timer)
    return exited
  }

  #command(): [string, string[]] {
    switch (this.plan.program) {
      case 'anvil':
        return [anvilBinary(), this.plan.args]
      case 'lite':
        return [process.execPath, [this.options.liteEntrypoint, ...this.plan.args]]
      default:
        throw new DevnetError(`service "${this.name}": unknown program ${JSON.stringify(this.plan.program)}`)
    }
  }

  #liteEnv(): Record<string, string> {
    const { codeCacheDir } = this.options
    return { DEVNET_ANVIL_BIN: anvilBinary(), ...(codeCacheDir ? { DEVNET_CODE_CACHE: codeCacheDir } : {}) }
  }

  #writeFiles(): void {
    writeServiceFiles(this.name, this.dir, this.plan.files)
  }
}

/**
 * The environment a lite program inherits: the CLI's, without `NODE_EXTRA_CA_CERTS`. Node parses that CA
 * bundle at every start, before any code runs (80 ms of CPU per process on a machine that sets it to the
 * system bundle, four times a bare start), and a lite program has no use for it: its clients speak plain
 * HTTP and WebSocket to the devnet's own services (`components/shared/jsonrpc.ts` has no TLS).
 */
export function liteProgramEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env
  return rest
}

function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * Settles when the lite program `child` writes on its descriptor 3 (its start is done) or closes it (it
 * exited); the pipe is then destroyed, so it holds neither the program nor this process.
 */
function saysReady(child: ChildProcess): Promise<void> {
  const pipe = child.stdio[3] as Readable | null | undefined
  if (!pipe) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = () => {
      pipe.destroy()
      resolve()
    }
    pipe.once('data', done)
    pipe.once('end', done)
    pipe.once('error', done)
    pipe.once('close', done)
  })
}

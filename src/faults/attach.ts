/**
 * Faults on a devnet started by another process (`devnet up --detach`), through its state directory:
 * endpoints from `devnet.json`, topology and plan from `attach.json`, and the fault state (active
 * windows, what `heal` must undo, the events recorded) in `faults.json`, so `devnet fault` and
 * `devnet heal` can run one after the other and `devnet status` lists what is active.
 *
 * Lifecycle faults act on the process runtime's pid files (a crash is SIGKILL to the service's process
 * group, `start` launches it again with its plan); on docker they are not available from another process.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { devnetDefaults, readAttachData, readDescriptor, type AttachData } from '../devnet/descriptor.js'
import type { HistoryEvent } from '../devnet/history.js'
import { readLogLines, serviceLogFile } from '../devnet/logs.js'
import { DevnetError } from '../errors.js'
import type { ServicePlan } from '../plan/types.js'
import { ProcessRuntime } from '../runtime/process/index.js'
import { killProcessGroup, readPidFile, signalPid, stopRecorded } from '../runtime/process/group.js'
import type { Runtime, ServiceHandle, ServiceState } from '../runtime/types.js'
import { namesOf, type Names } from './checks.js'
import { newFaultState, type FaultContext, type FaultDevnet, type FaultState } from './context.js'
import { wipeServiceState } from '../devnet/serviceState.js'
import { planClock } from '../devnet/clock.js'
import { codeCacheDir } from '../devnet/cacheDir.js'

/** `faults.json`: the fault state and every event recorded by `devnet fault` (`t`: ms since epoch). */
export interface FaultsFile extends FaultState {
  events: HistoryEvent[]
}

export interface AttachedFaults {
  ctx: FaultContext
  names: Names
  /** The events recorded so far, this command's included. */
  events: HistoryEvent[]
}

/**
 * A fault context on the devnet whose state directory is `stateDir`; every fault run through it updates
 * `faults.json`.
 * @throws DevnetError (`DEVNET_NOT_RUNNING`) when no devnet runs there.
 * @example
 * const { ctx } = attachFaults('.devnet/devnet')
 * await l1Reorg(ctx, { depth: 3 })
 */
export function attachFaults(stateDir: string): AttachedFaults {
  const dir = resolve(stateDir)
  const descriptor = readDescriptor(dir)
  const data = readAttachData(dir)
  const file = readFaultsFile(dir)
  const { events, ...state } = file
  const devnet = attachedDevnet(dir, descriptor.runtime, data, Object.fromEntries(descriptor.services.map((s) => [s.name, s.endpoints])))
  const ctx: FaultContext = {
    devnet,
    state,
    record: (event) => events.push({ t: Date.now(), ...event }),
    save: () => writeFaultsFile(dir, { ...ctx.state, events }),
  }
  return { ctx, names: namesOf(data.topology), events }
}

function readFaultsFile(dir: string): FaultsFile {
  try {
    return { ...newFaultState(), events: [], ...(JSON.parse(readFileSync(join(dir, devnetDefaults.faultsFile), 'utf8')) as Partial<FaultsFile>) }
  } catch {
    return { ...newFaultState(), events: [] }
  }
}

function writeFaultsFile(dir: string, file: FaultsFile): void {
  const path = join(dir, devnetDefaults.faultsFile)
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`)
  renameSync(`${path}.tmp`, path)
}

function attachedDevnet(dir: string, kind: 'process' | 'docker', data: AttachData, endpoints: Record<string, Record<string, string>>): FaultDevnet {
  const runtime: Runtime =
    kind === 'process'
      ? new ProcessRuntime({ stateDir: dir, liteEntrypoint: data.liteEntrypoint, keepAliveOnExit: true, codeCacheDir: codeCacheDir() })
      : {
          kind,
          start: () => Promise.reject(unavailable('start')),
          stopAll: () => Promise.reject(unavailable('stop')),
          partition: () => Promise.reject(unavailable('partition')),
          heal: () => Promise.reject(unavailable('heal')),
          setLinkFault: () => Promise.reject(unavailable('shape the links of')),
        }
  const plans = new Map(data.plan.services.map((s) => [s.name, s]))
  return {
    topology: data.topology,
    endpoints,
    runtime,
    clock: planClock(data.plan),
    service(name) {
      const plan = plans.get(name)
      if (!plan) {
        throw new DevnetError(`no service named ${JSON.stringify(name)} in devnet "${data.topology.name}"`, { code: 'DEVNET_USAGE', details: `services: ${[...plans.keys()].join(', ')}` })
      }
      return new AttachedService(dir, plan, runtime, endpoints[name] ?? {})
    },
    wipeState(name) {
      wipeServiceState(dir, this.service(name).plan)
    },
  }
}

const unavailable = (what: string) =>
  new DevnetError(`cannot ${what} a service of a docker devnet from another process`, { code: 'DEVNET_RUNTIME_UNAVAILABLE', details: 'run the fault in a scenario instead' })

/** A service of an attached devnet, driven through its pid file (process runtime). */
class AttachedService implements ServiceHandle {
  readonly name: string
  readonly logFile: string

  constructor(
    private readonly dir: string,
    readonly plan: ServicePlan,
    private readonly runtime: Runtime,
    private readonly endpoints: Record<string, string>,
  ) {
    this.name = plan.name
    this.logFile = serviceLogFile(dir, plan.name)
  }

  get id(): string {
    return String(this.#pid() ?? '')
  }

  #pid(): number | undefined {
    return readPidFile(join(this.dir, this.name))
  }

  #running(action: string): number {
    if (this.runtime.kind !== 'process') throw unavailable(action)
    const pid = this.#pid()
    if (pid === undefined) throw new DevnetError(`cannot ${action} "${this.name}": it is not running`, { code: 'DEVNET_USAGE' })
    return pid
  }

  state(): ServiceState {
    return this.#pid() === undefined ? 'exited' : 'running'
  }

  endpoint(port: string): string {
    const url = this.endpoints[port]
    if (!url) throw new DevnetError(`service "${this.name}" has no public port ${JSON.stringify(port)}`, { code: 'DEVNET_USAGE' })
    return url
  }

  async stop(): Promise<void> {
    if (this.runtime.kind !== 'process') throw unavailable('stop')
    await stopRecorded(this.dir, [this.name])
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    killProcessGroup(this.#running('kill'), signal)
  }

  async pause(): Promise<void> {
    killProcessGroup(this.#running('pause'), 'SIGSTOP')
  }

  async resume(): Promise<void> {
    killProcessGroup(this.#running('resume'), 'SIGCONT')
  }

  async signalProcess(pid: number, signal: NodeJS.Signals): Promise<void> {
    this.#running('signal a process of')
    signalPid(pid, signal)
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.runtime.start(this.plan)
  }

  logs(lines = 100): string[] {
    return readLogLines(this.dir, this.name, lines)
  }
}

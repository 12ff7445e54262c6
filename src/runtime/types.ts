/**
 * The runtime contract. A runtime starts `ServicePlan`s somewhere (child processes, containers) and
 * gives back handles to control them. It knows nothing of the OP Stack.
 */
import type { ServicePlan } from '../plan/types.js'

export type ServiceState = 'starting' | 'running' | 'paused' | 'stopped' | 'exited'

export interface ServiceHandle {
  readonly name: string
  readonly plan: ServicePlan
  /** Current state as the runtime knows it. */
  state(): ServiceState
  /** URL of a named port as seen from the host, e.g. `http://127.0.0.1:9545`. */
  endpoint(port: string): string
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>
  /** Send a signal (SIGKILL simulates a crash). The service is then `exited`. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Freeze the service (SIGSTOP / docker pause). */
  pause(): Promise<void>
  resume(): Promise<void>
  /**
   * Send a signal to one process of the service by its pid as the service sees it (in its container on
   * docker), e.g. a child it spawned. A process already gone is not an error.
   */
  signalProcess(pid: number, signal: NodeJS.Signals): Promise<void>
  /** Stop (if running) and start again with the same plan and ports; waits for readiness. */
  restart(): Promise<void>
  /** The last log lines (ring buffer), oldest first. */
  logs(lines?: number): string[]
  /** Path of the full log file on the host. */
  readonly logFile: string
  /** OS process id (process runtime) or container id (docker), for the state file. */
  readonly id: string
}

export interface StartOptions {
  /** Abort waiting for readiness after this many ms. @default the runtime's (process 30 s, docker 60 s) */
  readyTimeoutMs?: number
  /** Added to the readiness timeout, given or default (a devnet that starts many nodes at once). @default 0 */
  readyAllowanceMs?: number
  /**
   * Aborts waiting for readiness (the service is killed and the start throws `ServiceError`): another
   * service of the devnet failed to start, e.g. the L1 a service waits for itself.
   */
  signal?: AbortSignal
}

/**
 * Link fault on what a service sends (its egress), on every link it has: docker `tc netem` in its
 * network namespace, else the link proxies (see `components/links/shaper.ts` for what loss means there).
 */
export interface LinkFault {
  delayMs?: number
  jitterMs?: number
  lossPercent?: number
  /** Bandwidth cap, kbit/s. */
  bandwidthKbps?: number
}

/** Which mechanism carried a link fault, for the fault event (`via`), and what it did. */
export interface LinkFaultResult {
  via: 'proxy' | 'netem' | 'nftables'
  detail: string
}

export interface Runtime {
  readonly kind: 'process' | 'docker'
  /** Start one service and wait until it is ready. Throws `ServiceError` with its last log lines on failure. */
  start(service: ServicePlan, options?: StartOptions): Promise<ServiceHandle>
  /** Stop every service this runtime started, in reverse start order; collects failures into one AggregateError. */
  stopAll(): Promise<void>
  /**
   * Network partition between groups of services (`p2p`: only the p2p link class); services in no group
   * form one more group. Existing connections between groups are dropped or stall, new ones fail.
   */
  partition(groups: string[][], options: { links: 'p2p' | 'all' }): Promise<void>
  /** Undoes `partition`. */
  heal(): Promise<void>
  /** Sets (or clears with `undefined`) a link fault on what a service sends. */
  setLinkFault(service: string, fault: LinkFault | undefined): Promise<LinkFaultResult>
}

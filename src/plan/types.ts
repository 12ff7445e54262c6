/**
 * The plan: what to run, independent of where it runs. `plan/` turns a resolved topology into
 * `ServicePlan[]`; a runtime (`runtime/process`, `runtime/docker`) turns each plan into a running service.
 */

/** What a service is, as `devnet status --json` reports it. */
export type ServiceRole =
  | 'l1'
  /** L1 block production on the devnet clock (`components/l1-clock`). */
  | 'l1-clock'
  | 'sequencer'
  | 'replica'
  | 'batcher'
  | 'proposer'
  | 'challenger'
  | 'conductor'
  | 'proxyd'
  | 'bootnode'
  /** The runtime's link proxies (process runtime; not part of the plan). */
  | 'links'

/** A rollup node (its own engine, rollup RPC and p2p host): the sequencer and the replicas. */
export const isRollupNode = (role: ServiceRole | undefined): boolean => role === 'sequencer' || role === 'replica'

/**
 * Which program a service runs.
 * - `anvil`: the anvil binary from `@foundry-rs/anvil`.
 * - `lite`: this project's component launcher (`dist/components/main.js`); `args[0]` names the component.
 */
export type ProgramKind = 'anvil' | 'lite'

export interface PortPlan {
  /** Port the program listens on inside its network namespace (equals `host` on the process runtime). */
  port: number
  /** Port published on 127.0.0.1 of the host. */
  host: number
  /** `http` ports are exposed as endpoints (`http://127.0.0.1:<host>`); `tcp` ports as `tcp://`; `udp` (discv5) as `udp://`. */
  protocol: 'http' | 'tcp' | 'udp'
  /** Whether the port is an endpoint users see (`devnet status`); internal ports are not listed. */
  public: boolean
}

export type ReadinessPlan =
  /** Ready once a JSON-RPC call on `port` answers without error. */
  | { kind: 'rpc'; port: string; method: string; params?: unknown[] }
  /** Ready once the TCP port accepts connections. */
  | { kind: 'port'; port: string }
  /**
   * Ready once `GET <path>` on `port` answers 2xx (op-service's and proxyd's `/healthz`). Better than `port`
   * where the program serves HTTP: a published port accepts connections before the program listens.
   */
  | { kind: 'http'; port: string; path: string }

/** Traffic classes a partition can cut separately (see docs/architecture.md). */
export type LinkClass = 'p2p' | 'rpc'

/** One connection path from a service to a port of another (see `plan/links.ts`). */
export interface LinkPlan {
  /** The service dialled. */
  to: string
  /** Its port's name (`rpc`, `el`, `rollup`, `p2p`). */
  port: string
  /** Which partitions cut it: `p2p` links by any partition, `rpc` ones only by `links: all`. */
  class: LinkClass
  /** Where the target listens, as this service would dial it directly. */
  target: { host: string; port: number }
}

export interface ServicePlan {
  /** Unique within the devnet: `l1`, `sequencer`, `replica-0`, `batcher`, ... */
  name: string
  role: ServiceRole
  program: ProgramKind
  /** Arguments after the program. Relative paths are relative to the service's directory. */
  args: string[]
  env: Record<string, string>
  /** Named ports, e.g. `rpc`, `el`, `rollup`, `p2p`. */
  ports: Record<string, PortPlan>
  /** Files written into the service's directory before start (relative path -> content). */
  files: Record<string, string>
  readiness: ReadinessPlan
  /** Services that must be ready before this one starts. */
  dependsOn: string[]
  /**
   * Of `dependsOn`, those this service waits for itself (a lite program's launcher polls their URLs in
   * `DEVNET_WAIT_FOR`, see `components/shared/dependencies.ts`): the orchestrator starts it beside them.
   */
  waitsFor?: string[]
  /** Every link this service dials; args, env and files name them with placeholders (`plan/links.ts`). */
  links: LinkPlan[]
  /**
   * Scheduling priority as a Unix nice value (absent: 0, the default). Replicas that cannot sequence run
   * at `FOLLOWER_NICE`: when the machine is short of CPU (many replicas on two cores), the chain's own
   * path (L1, its clock, the sequencer, the batcher) keeps time and the followers fall behind, not the
   * chain. The process runtime sets it on the service's session (`/proc/<pid>/autogroup`) and process;
   * docker gives the container the matching CPU weight (`CpuShares`).
   */
  nice?: number
}

/**
 * The nice value of a follower (a replica that cannot sequence). With 50 replicas on two cores and every
 * service at the same priority, the sequencer got a 50th of the machine: 80 s behind the wall, and the
 * sequencing window expired (deposit-only blocks). At 10 it kept within 1.2 s of the wall; at 5 within 3.3 s.
 */
export const FOLLOWER_NICE = 10

/** CFS's CPU weight of a nice value (1024 at 0, about 1.25 times less per step: 110 at 10), as docker's `CpuShares`. */
export function cpuWeight(nice: number): number {
  return Math.round(1024 / 1.25 ** nice)
}

/** The result of planning a topology: every service, in a valid start order. */
export interface DevnetPlan {
  name: string
  services: ServicePlan[]
}

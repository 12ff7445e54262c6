/**
 * The Docker engine: one dockerode client, engine detection, the labels every resource carries, and the
 * few error shapes of the Engine API this runtime tolerates (404 gone, 304 already done).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import Docker from 'dockerode'
import { DevnetError } from '../../errors.js'

/** Every docker-runtime default, in one place. */
export const dockerDefaults = {
  /**
   * How long `dockerAvailable()` waits for the engine to answer a ping.
   * @default 1_000
   */
  pingTimeoutMs: 1_000,
  /**
   * Private range the per-devnet networks take their /24 subnets from.
   * @default '10.213.0.0/16'
   */
  subnetPool: '10.213.0.0/16',
  /**
   * Where a service's directory is bind-mounted in its container (`<mountRoot>/<service>`, also the workdir).
   * @default '/devnet'
   */
  mountRoot: '/devnet',
  /**
   * Longest wait for one readiness probe before the next one (see `readiness.ts`).
   * @default 2_000
   */
  readyProbeTimeoutMs: 2_000,
  /**
   * Per-service readiness timeout when the caller gives none. Longer than the process runtime's: every
   * container of a devnet is created and started at once, and node loads its modules from the image's
   * layers (rollup nodes of an HA devnet took 25-31 s on 2 cores at load 20).
   * @default 60_000
   */
  readyTimeoutMs: 60_000,
  /**
   * The lite launcher inside the image.
   * @default '/app/dist/components/main.js'
   */
  liteEntrypoint: '/app/dist/components/main.js',
}

/** Label keys on every container and network this runtime creates (see `sweep`). */
export const labels = {
  /** The session (one `DockerRuntime`); the presence of this label marks op-devnet resources. */
  session: 'op-devnet.session',
  devnet: 'op-devnet.devnet',
  service: 'op-devnet.service',
  /** Pid of the orchestrator process; `sweep()` removes resources whose orchestrator is gone. */
  pid: 'op-devnet.pid',
  /** `true` on resources meant to outlive their orchestrator (`devnet up --detach`): only `sweep({ devnet })` removes them. */
  detached: 'op-devnet.detached',
  /** What a resource is: `service`, `helper` (link-fault helper), `network`, `partition` (a group network). */
  kind: 'op-devnet.kind',
  /** The link class of a network: `rpc` or `p2p`. */
  link: 'op-devnet.link',
} as const

let shared: Docker | undefined

/**
 * The shared dockerode client (`DOCKER_HOST` or `/var/run/docker.sock`). The API version is negotiated,
 * never pinned: pinning one newer than the engine's (1.41 for Docker 20.10) fails with HTTP 400.
 */
export function dockerClient(): Docker {
  return (shared ??= new Docker())
}

/**
 * Whether a Docker engine answers a ping within `timeoutMs`.
 * @example
 * // tests: skips locally without an engine, fails in CI (test/requires.ts)
 * requires('a Docker engine', await dockerAvailable(), 'bash scripts/docker-engine.sh')('docker runtime', () => { ... })
 */
export async function dockerAvailable(options: { timeoutMs?: number } = {}): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? dockerDefaults.pingTimeoutMs
  const client = new Docker({ timeout: timeoutMs })
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      client.ping().then(() => true, () => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(resolve, timeoutMs, false))),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Throws `DEVNET_RUNTIME_UNAVAILABLE` unless an engine answers.
 * @example
 * await assertDockerAvailable()
 */
export async function assertDockerAvailable(): Promise<void> {
  if (!(await dockerAvailable())) {
    throw new DevnetError('no Docker engine answers', {
      code: 'DEVNET_RUNTIME_UNAVAILABLE',
      details: 'start dockerd (or Docker Desktop), check DOCKER_HOST, or use the process runtime',
    })
  }
}

/** HTTP status of an Engine API error (dockerode puts it on `statusCode`). */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode
}

/** The engine's own message of an Engine API error, without dockerode's prefix. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } } | undefined)?.json
  if (json?.message) return json.message
  return error instanceof Error ? error.message : String(error)
}

/** Runs `action`, treating the given statuses (default 404 "no such ...", 304 "already ...") as success. */
export async function tolerate<T>(action: Promise<T>, statuses: number[] = [404, 304]): Promise<T | undefined> {
  try {
    return await action
  } catch (error) {
    if (statuses.includes(statusOf(error) ?? 0)) return undefined
    throw error
  }
}

/**
 * `docker pause` of a container, tried again when the engine fails to freeze it. runc freezes a cgroup
 * by asking the kernel and re-checking, and gives up ("unable to freeze") when the processes keep
 * running, as busy ones can on a loaded machine; the cgroup is thawed again then, so another try is safe.
 */
export async function pauseContainer(pause: () => Promise<unknown>, { tries = 5, backoffMs = 100 } = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pause()
      return
    } catch (error) {
      // Only that failure passes; another ("cannot toggle freezer: cgroups not configured") stays.
      if (attempt >= tries || !/unable to freeze/i.test(engineMessage(error))) throw error
      await sleep(backoffMs * attempt)
    }
  }
}

/**
 * Label sweep: removes the containers and networks an orchestrator left behind (a crash, SIGKILL, a lost
 * CI runner). Every resource carries `op-devnet.session` and `op-devnet.pid`; one whose orchestrator pid
 * is no longer alive on this host is an orphan. We sweep by label instead of running Ryuk: see
 * docs/architecture.md (docker runtime, "Cleanup").
 */
import type Docker from 'dockerode'
import { isProcessAlive } from '../process/group.js'
import { dockerClient, labels, tolerate } from './engine.js'

export interface SweepOptions {
  /**
   * Remove everything of this devnet, orphaned or not, detached or not (`devnet down` of a devnet whose
   * orchestrator is gone). Without it: every orphan of every devnet, detached devnets excepted.
   */
  devnet?: string
  /** Only orphans, also with `devnet` (a new run of a devnet clears what a crashed one left). @default !devnet */
  orphansOnly?: boolean
  docker?: Docker
}

export interface SweepResult {
  /** Names of the removed containers. */
  containers: string[]
  /** Names of the removed networks. */
  networks: string[]
  /** Resources that could not be removed, with the reason. */
  failures: string[]
}

/** Whether a resource's orchestrator is gone (and the resource was not meant to outlive it). */
export function isOrphan(found: Record<string, string> | undefined): boolean {
  if (!found || found[labels.session] === undefined) return false
  if (found[labels.detached] === 'true') return false
  const pid = Number(found[labels.pid])
  return !(Number.isInteger(pid) && pid > 0 && isProcessAlive(pid))
}

/**
 * Removes op-devnet containers, then networks: orphans only, or everything of `devnet`. Containers go
 * first: a network cannot be removed while a container is attached.
 * @example
 * const { containers, networks } = await sweep()            // what crashed runs left
 * await sweep({ devnet: 'default' })                        // all of devnet "default"
 */
export async function sweep(options: SweepOptions = {}): Promise<SweepResult> {
  const docker = options.docker ?? dockerClient()
  const filters = { label: [labels.session, ...(options.devnet ? [`${labels.devnet}=${options.devnet}`] : [])] }
  const orphansOnly = options.orphansOnly ?? !options.devnet
  const selected = (found: Record<string, string> | undefined) => (orphansOnly ? isOrphan(found) : true)
  const result: SweepResult = { containers: [], networks: [], failures: [] }

  const containers = await docker.listContainers({ all: true, filters })
  await Promise.all(containers.filter((info) => selected(info.Labels)).map(async (info) => {
    const name = info.Names[0]?.replace(/^\//, '') ?? info.Id
    try {
      await tolerate(docker.getContainer(info.Id).remove({ force: true, v: true }), [404, 409])
      result.containers.push(name)
    } catch (error) {
      result.failures.push(`container ${name}: ${(error as Error).message}`)
    }
  }))

  const networks = await docker.listNetworks({ filters })
  for (const info of networks.filter((network) => selected(network.Labels))) {
    try {
      await tolerate(docker.getNetwork(info.Id).remove())
      result.networks.push(info.Name)
    } catch (error) {
      result.failures.push(`network ${info.Name}: ${(error as Error).message}`)
    }
  }
  result.containers.sort()
  result.networks.sort()
  return result
}

/**
 * State of each service container of a devnet, by service name (`running`, `paused`, `exited`, ...),
 * for `devnet status` from another process.
 */
export async function containerStates(devnet: string, docker: Docker = dockerClient()): Promise<Record<string, string>> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${labels.devnet}=${devnet}`, `${labels.kind}=service`] } })
  return Object.fromEntries(list.map((c) => [c.Labels[labels.service], c.State]))
}

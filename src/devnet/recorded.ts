/**
 * A devnet seen from another process, through its state directory: status, stop (`devnet down`) and the
 * liveness check `startDevnet` uses to refuse a second devnet in the same directory.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DevnetError } from '../errors.js'
import { linksServiceName, readPidFile, stopRecorded } from '../runtime/process/group.js'
import { descriptorPath, readDescriptor, removeDescriptor, type DevnetDescriptor } from './descriptor.js'

/** Subdirectories of `stateDir` whose pid file names a live process of that directory. */
export function liveServiceDirs(stateDir: string): string[] {
  let entries: string[]
  try {
    entries = readdirSync(stateDir)
  } catch {
    return []
  }
  return entries.filter((entry) => {
    const dir = join(stateDir, entry)
    try {
      return statSync(dir).isDirectory() && readPidFile(dir) !== undefined
    } catch {
      return false
    }
  })
}

/**
 * The recorded descriptor with each service's state and pid refreshed from its pid file (`running` while
 * its process lives, `exited` otherwise), and heads polled (see `withHeads`).
 * @throws DevnetError (`DEVNET_NOT_RUNNING`) if there is no descriptor or none of its services runs.
 * @example
 * const descriptor = await devnetStatus('.devnet/devnet')
 */
export async function devnetStatus(stateDir: string): Promise<DevnetDescriptor> {
  const dir = resolve(stateDir)
  const descriptor = readDescriptor(dir)
  if (descriptor.runtime === 'docker') {
    const { containerStates } = await import('../runtime/docker/sweep.js') // dockerode only for docker devnets
    const states = await containerStates(descriptor.name)
    for (const service of descriptor.services) service.state = (states[service.name] as typeof service.state | undefined) ?? 'exited'
  } else {
    for (const service of descriptor.services) {
      const pid = readPidFile(join(dir, service.name))
      service.state = pid === undefined ? 'exited' : 'running'
      if (pid !== undefined) service.pid = pid
    }
  }
  if (!descriptor.services.some((s) => s.state === 'running')) {
    throw new DevnetError(`devnet "${descriptor.name}" is not running: all its services exited`, {
      code: 'DEVNET_NOT_RUNNING',
      details: `its state and logs are in ${dir}; \`devnet down\` removes the state`,
    })
  }
  // `devnet down` and the start's liveness check load this module too: the RPC clients only for status.
  const { withHeads } = await import('./heads.js')
  return withHeads(descriptor)
}

/**
 * Removes a devnet started by another process (`devnet down`): kills all its services at once, as
 * recorded in `devnet.json` (plus any other service directory with a live pid, e.g. after a start that
 * was killed before it wrote the descriptor), then removes `devnet.json`. Logs stay. Nothing is stopped
 * gracefully: a new start wipes what the services would save (docker's side likewise removes its containers).
 * @returns The names of the services that were running and are now stopped.
 * @throws DevnetError (`DEVNET_NOT_RUNNING`) if there is neither a descriptor nor a live service.
 * @example
 * await stopFromDescriptor('.devnet/devnet')
 */
export async function stopFromDescriptor(stateDir: string, options: { graceMs?: number } = {}): Promise<string[]> {
  const dir = resolve(stateDir)
  const descriptor = existsSync(descriptorPath(dir)) ? readDescriptor(dir) : undefined
  if (descriptor?.runtime === 'docker') {
    // Containers and networks carry the devnet's labels: remove everything of that devnet.
    const { sweep } = await import('../runtime/docker/sweep.js')
    const { containers } = await sweep({ devnet: descriptor.name })
    removeDescriptor(dir)
    return containers
  }
  const recorded = descriptor ? descriptor.services.map((s) => s.name).reverse() : []
  const live = liveServiceDirs(dir)
  // The process runtime's link proxies are machinery, not a service: killed with the rest, not listed.
  const links = live.includes(linksServiceName)
  const others = live.filter((name) => !recorded.includes(name) && name !== linksServiceName)
  if (!recorded.length && !others.length && !links) {
    throw new DevnetError(`no devnet is running in ${dir}`, { code: 'DEVNET_NOT_RUNNING' })
  }
  // Unknown order for unrecorded services: listed with L1 last, as a start would have started it first.
  others.sort((a, b) => Number(a === 'l1') - Number(b === 'l1'))
  const services = [...others, ...recorded]
  const stopped = await stopRecorded(dir, links ? [...services, linksServiceName] : services, { ...options, discard: true })
  removeDescriptor(dir)
  return stopped.filter((name) => name !== linksServiceName)
}

/**
 * Best-effort cleanup when the orchestrator exits without `stopAll()` (an uncaught error, `process.exit`):
 * one `process.once('exit')` hook removes the registered containers and networks with the docker CLI,
 * synchronously (an exit hook cannot wait for the Engine API). A SIGKILLed orchestrator runs no hook:
 * `sweep()` removes what it left, by label.
 */
import { spawnSync } from 'node:child_process'

const containers = new Set<string>()
const networks = new Set<string>()
let hooked = false

function hook(): void {
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    const run = (args: string[]) => {
      try {
        spawnSync('docker', args, { stdio: 'ignore', timeout: 15_000 })
      } catch {
        // no docker CLI: sweep() will do it
      }
    }
    if (containers.size) run(['rm', '--force', '--volumes', ...containers])
    if (networks.size) run(['network', 'rm', ...networks])
  })
}

/** Removes this container (id or name) when the process exits, unless `forgetContainer` is called first. */
export function reapContainerOnExit(id: string): void {
  hook()
  containers.add(id)
}

export function forgetContainer(id: string): void {
  containers.delete(id)
}

/** Removes this network (name or id) when the process exits, after the containers. */
export function reapNetworkOnExit(name: string): void {
  hook()
  networks.add(name)
}

export function forgetNetwork(name: string): void {
  networks.delete(name)
}

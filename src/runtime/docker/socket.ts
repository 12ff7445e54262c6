/**
 * Where the Docker client would connect, without loading it: `dockerode` with `docker-modem` and the
 * BuildKit session's gRPC take 150-190 ms of CPU to load, which a default `devnet up` on a machine without
 * Docker paid (with the ping) before anything started: 0.35-0.4 s of its wall time.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The unix socket the client dials, as `docker-modem` picks it: `DOCKER_HOST=unix://<path>`, else
 * `~/.docker/run/docker.sock` (Docker Desktop) when it exists, else `/var/run/docker.sock`. Undefined when
 * `DOCKER_HOST` names another transport (tcp, ssh, npipe) or on Windows: only a connection can tell then.
 */
export function engineSocketPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string | undefined {
  if (process.platform === 'win32') return undefined
  const host = env.DOCKER_HOST
  if (host && !host.startsWith('unix://')) return undefined
  const named = host?.slice('unix://'.length)
  if (named) return named
  const desktop = join(home, '.docker', 'run', 'docker.sock')
  return existsSync(desktop) ? desktop : '/var/run/docker.sock'
}

/** Whether no engine can answer: the client would dial a unix socket that does not exist. */
export function engineSocketMissing(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): boolean {
  const path = engineSocketPath(env, home)
  return path !== undefined && !existsSync(path)
}

/**
 * Process-group primitives. Every service is spawned `detached`, so it leads its own process group
 * (pgid = pid) and a signal to `-pid` reaches it and anything it spawned. These helpers work from a bare
 * pid, so `devnet down` can stop a devnet whose starting CLI is gone (see `stopRecorded`).
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DevnetError } from '../../errors.js'
import { defaults } from '../waits.js'

/** Directory (and service name) of the link proxy process; not a valid topology name, so it never clashes. */
export const linksServiceName = '_links'

/** Name of the file holding a service's pid, inside its directory. */
export const pidFileName = 'pid'

/**
 * Sends `signal` to the process group led by `pid`.
 * @returns `false` if no such group exists (ESRCH), `true` otherwise.
 * @example
 * killProcessGroup(1234, 'SIGTERM')
 */
export function killProcessGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new DevnetError(`invalid pid ${pid}`)
  try {
    process.kill(-pid, signal)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw error
  }
}

/**
 * Sends `signal` to the single process `pid` (not its group).
 * @returns `false` if no such process exists (ESRCH), `true` otherwise.
 * @example
 * signalPid(1234, 'SIGSTOP')
 */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new DevnetError(`invalid pid ${pid}`)
  try {
    process.kill(pid, signal)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw error
  }
}

/**
 * Whether a process with this pid exists and is not a zombie (EPERM counts as alive: it exists but is not ours).
 * @example
 * isProcessAlive(Number(handle.id))
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const stat = procStat(String(pid))
  return stat === undefined ? process.platform !== 'linux' : stat.state !== 'Z'
}

/**
 * Whether any live (non-zombie) process of the group led by `pid` remains. An orphaned zombie stays in its
 * group until init reaps it, which some inits do only every second or so; it holds no ports and no memory.
 */
export function isGroupAlive(pid: number): boolean {
  try {
    if (!killProcessGroup(pid, 0)) return false
  } catch {
    // EPERM: exists
  }
  if (process.platform !== 'linux') return true
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return true
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false
    const stat = procStat(entry)
    return stat !== undefined && stat.pgrp === pid && stat.state !== 'Z'
  })
}

/** State letter and process group of a process, from `/proc/<pid>/stat` (Linux); `undefined` if unreadable. */
function procStat(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: state ?? '', pgrp: Number(pgrp) }
  } catch {
    return undefined
  }
}

/** Polls until the group led by `pid` is gone; `false` if it is still there after `timeoutMs`. */
export async function waitGroupGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (isGroupAlive(pid)) {
    if (Date.now() >= deadline) return false
    await sleep(defaults.pollIntervalMs / 2)
  }
  return true
}

/**
 * Reads `<dir>/pid`; `undefined` if missing or malformed. On Linux a pid whose process does not run in
 * `dir` is stale (the service died and the pid was reused) and also gives `undefined`.
 */
export function readPidFile(dir: string): number | undefined {
  let pid: number
  try {
    pid = Number(readFileSync(join(dir, pidFileName), 'utf8').trim())
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  if (process.platform !== 'linux') return pid
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dir) ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * Stops services from their pid files (`<stateDir>/<name>/pid`), all at once: SIGTERM (+SIGCONT, in case
 * it is paused) to each group, SIGKILL after `graceMs`, then waits until the groups are gone and removes
 * the pid files.
 * @returns The names whose group was running and is now stopped.
 * @throws AggregateError of the groups that survived SIGKILL.
 * @example
 * await stopRecorded('.devnet/default', ['batcher', 'sequencer', 'l1'])
 */
export async function stopRecorded(stateDir: string, names: string[], options: { graceMs?: number } = {}): Promise<string[]> {
  const { graceMs = defaults.stopGraceMs } = options
  const failures: Error[] = []
  const stopOne = async (name: string): Promise<boolean> => {
    const dir = join(stateDir, name)
    const pid = readPidFile(dir)
    try {
      let stopped = false
      if (pid !== undefined && killProcessGroup(pid, 'SIGTERM')) {
        killProcessGroup(pid, 'SIGCONT')
        if (!(await waitGroupGone(pid, graceMs))) {
          killProcessGroup(pid, 'SIGKILL')
          if (!(await waitGroupGone(pid, graceMs))) throw new DevnetError(`service "${name}" (pid ${pid}) survived SIGKILL`)
        }
        stopped = true
      }
      rmSync(join(dir, pidFileName), { force: true })
      return stopped
    } catch (error) {
      failures.push(error as Error)
      return false
    }
  }
  // All at once: each service is its own process group, and none needs another to stop.
  const results = await Promise.all(names.map(stopOne))
  const stopped = names.filter((_, i) => results[i])
  if (failures.length) throw new AggregateError(failures, `failed to stop ${failures.length} service(s) in ${stateDir}`)
  return stopped
}

/** Groups that the `exit` hook SIGKILLs if they are still running when this process exits. */
const reapOnExit = new Set<number>()
let hooked = false

/** Registers a group to SIGKILL when this process exits (one `process.once('exit')` hook for all runtimes). */
export function reapGroupOnExit(pid: number): void {
  reapOnExit.add(pid)
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    for (const pgid of reapOnExit) {
      try {
        process.kill(-pgid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  })
}

/** Forgets a group registered with `reapGroupOnExit` (it has exited). */
export function forgetGroup(pid: number): void {
  reapOnExit.delete(pid)
}

/**
 * Process-group primitives. Every service is spawned `detached`, so it leads its own process group
 * (pgid = pid) and a signal to `-pid` reaches it and anything it spawned. These helpers work from a bare
 * pid, so `devnet down` can stop a devnet whose starting CLI is gone (see `stopRecorded`).
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { setPriority } from 'node:os'
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
 * Which of the groups `pgids` have a live (non-zombie) process: one pass over `/proc` for all of them
 * (on Linux; elsewhere a group that exists counts as live). An orphaned zombie stays in its group until
 * init reaps it, which some inits do only every second or so; it holds no ports and no memory.
 */
function liveGroups(pgids: readonly number[]): Set<number> {
  const existing = pgids.filter((pgid) => {
    try {
      return killProcessGroup(pgid, 0)
    } catch {
      return true // EPERM: exists
    }
  })
  if (process.platform !== 'linux' || !existing.length) return new Set(existing)
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return new Set(existing)
  }
  const wanted = new Set(existing)
  const live = new Set<number>()
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    const stat = procStat(entry)
    if (stat !== undefined && wanted.has(stat.pgrp) && stat.state !== 'Z') live.add(stat.pgrp)
  }
  return live
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
  return (await waitGroupsGone([pid], timeoutMs)).length === 0
}

/** Polls until the groups `pids` are gone (one pass over `/proc` per poll for all); returns those left after `timeoutMs`. */
async function waitGroupsGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  let left = [...pids]
  await pollUntil(() => {
    const live = liveGroups(left)
    left = left.filter((pid) => live.has(pid))
    return !left.length
  }, timeoutMs)
  return left
}

/** Polls until the process `pid` is gone or a zombie; `false` if it still runs after `timeoutMs`. */
function waitProcessGone(pid: number, timeoutMs: number): Promise<boolean> {
  return pollUntil(() => !isProcessAlive(pid), timeoutMs)
}

/** Checks `done` every fifth of the poll interval until it holds (`true`) or `timeoutMs` has passed (`false`). */
async function pollUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (done()) return true
    if (Date.now() >= deadline) return false
    await sleep(defaults.pollIntervalMs / 5)
  }
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
 * it is paused) to each program, SIGKILL to its group after `graceMs` or once the program is gone, then
 * waits until the groups are gone and removes the pid files. With `discard` (the devnet is being removed,
 * and no one reads its state again), SIGKILL to each group at once, as docker removes a container.
 * @returns The names whose group was running and is now stopped.
 * @throws AggregateError of the groups that survived SIGKILL.
 * @example
 * await stopRecorded('.devnet/default', ['batcher', 'sequencer', 'l1'])
 */
export async function stopRecorded(stateDir: string, names: string[], options: { graceMs?: number; discard?: boolean } = {}): Promise<string[]> {
  const { graceMs = defaults.stopGraceMs, discard = false } = options
  const running = names.flatMap((name) => {
    const pid = readPidFile(join(stateDir, name))
    return pid === undefined ? [] : [{ name, pid }]
  })
  const signalled = running.filter(({ pid }) => {
    // SIGTERM to the program alone, as the runtime's stop and docker's init do: it stops its own children
    // (a rollup node snapshots its engine, then stops it). Whatever of the group outlives it is killed.
    const sent = discard ? killProcessGroup(pid, 'SIGKILL') : signalPid(pid, 'SIGTERM')
    if (sent && !discard) killProcessGroup(pid, 'SIGCONT') // a paused program must wake to handle it
    return sent
  })
  if (!discard) {
    await Promise.all(signalled.map(({ pid }) => waitProcessGone(pid, graceMs)))
    for (const { pid } of signalled) killProcessGroup(pid, 'SIGKILL') // what outlived its program, if anything
  }
  // All at once: each service is its own process group, and none needs another to stop.
  const survivors = new Set(await waitGroupsGone(signalled.map(({ pid }) => pid), graceMs))
  const failed = signalled.filter(({ pid }) => survivors.has(pid))
  for (const name of names) if (!failed.some((f) => f.name === name)) rmSync(join(stateDir, name, pidFileName), { force: true })
  if (failed.length) {
    const errors = failed.map(({ name, pid }) => new DevnetError(`service "${name}" (pid ${pid}) survived SIGKILL`))
    throw new AggregateError(errors, `failed to stop ${failed.length} service(s) in ${stateDir}`)
  }
  return signalled.map(({ name }) => name)
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

/**
 * Lowers the scheduling priority of the service led by `pid` to `nice`: its process (the threads and
 * children it starts from now on inherit it) and, on Linux with autogroups (`/proc/sys/kernel/sched_autogroup_enabled`),
 * its session's autogroup. A detached service leads its own session, and so its own autogroup, which the
 * scheduler weighs against the others by the autogroup's nice alone: a process's own nice then counts only
 * inside its session. Best effort: where neither can be set, the service runs at the default priority.
 */
export function lowerPriority(pid: number, nice: number): void {
  try {
    setPriority(pid, nice)
  } catch { /* not permitted here */ }
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice))
  } catch { /* no autogroups (not Linux, or built without them) */ }
}

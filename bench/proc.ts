/** What `/proc` says about processes and the machine's CPU (Linux): the benches' CPU and memory figures. */
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of `/proc` CPU times (USER_HZ, `getconf CLK_TCK`: 100 on Linux). */
export const TICKS_PER_S = 100

/** CPU time the whole machine has spent busy since boot, ms (`/proc/stat`: user, nice, system, irq, softirq). */
export function machineBusyMs(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  return ((user! + nice! + system! + irq! + softirq!) * 1000) / TICKS_PER_S
}

/** Parent, process group and CPU so far (utime + stime, clock ticks) of a process, from `/proc/<pid>/stat`. */
function procStat(pid: number | string): { ppid: number; pgrp: number; ticks: number } | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return { ppid: Number(f[1]), pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) }
  } catch {
    return undefined // gone meanwhile
  }
}

/** Every live process, with its `/proc` stat. */
function allProcesses(): { pid: number; ppid: number; pgrp: number; ticks: number }[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).flatMap((e) => {
    const stat = procStat(e)
    return stat === undefined ? [] : [{ pid: Number(e), ...stat }]
  })
}

/** Every live process under `roots` (themselves included), from /proc's parent links. */
export function processTree(roots: number[]): number[] {
  const children = new Map<number, number[]>()
  for (const { pid, ppid } of allProcesses()) children.set(ppid, [...(children.get(ppid) ?? []), pid])
  const out: number[] = []
  for (const queue = [...roots]; queue.length;) {
    const pid = queue.shift()!
    out.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return out
}

/** utime + stime of each pid, in clock ticks ({@link TICKS_PER_S}). */
export function cpuTicks(pids: number[]): Map<number, number> {
  const ticks = new Map<number, number>()
  for (const pid of pids) {
    const stat = procStat(pid)
    if (stat !== undefined) ticks.set(pid, stat.ticks)
  }
  return ticks
}

/** CPU every process group has used so far (all its live processes), ms. */
export function cpuMsByGroup(): Map<number, number> {
  const ms = new Map<number, number>()
  for (const { pgrp, ticks } of allProcesses()) ms.set(pgrp, (ms.get(pgrp) ?? 0) + (ticks * 1000) / TICKS_PER_S)
  return ms
}

/** Proportional set size of `pids` together, GiB (`/proc/<pid>/smaps_rollup`: shared pages split among their users); a process gone meanwhile counts 0. */
export function pssGiB(pids: number[]): number {
  let kib = 0
  for (const pid of pids) {
    try {
      kib += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))![1])
    } catch { /* gone */ }
  }
  return kib / 1024 / 1024
}


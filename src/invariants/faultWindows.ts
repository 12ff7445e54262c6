/**
 * Fault windows: when each fault was active, read from the history's `fault-start` / `fault-end`
 * events, which describe themselves (the faults' side of the contract, `faults/definition.ts`):
 * - a `fault-start` event (name = fault name, `targets` = the services it acts on) opens a window;
 * - the first later `fault-end` with the same name whose targets overlap (or either has none) closes it;
 *   a recovery (`start`, `heal`, ...) records that `fault-end` under the name of the fault it ends;
 * - a window never closed lasts to the end of the history, except an `instant` one (`lasts: 'instant'`),
 *   which lasts `graceMs`.
 * A host stall (`history.stalls`: nothing ran on the machine, the devnet clock went on) is a window too,
 * named `hostStall`, on every service: no service could act during it.
 */
import type { History, HistoryEvent, NodeSample } from '../devnet/history.js'

export interface FaultWindow {
  name: string
  /** Services affected; empty means every service. */
  targets: string[]
  start: number
  /** `Infinity` while the fault is still active at the end of the history. */
  end: number
  /** The `fault-start` event. */
  event: HistoryEvent
  /** The `fault-end` event that closed it, if one did. */
  closedBy?: HistoryEvent
}

const overlap = (a: string[] | undefined, b: string[] | undefined) =>
  !a?.length || !b?.length || a.some((target) => b.includes(target))

/** The name of a {@link faultWindows | window} that stands for a host stall. */
export const HOST_STALL = 'hostStall'

/** Every fault window of the history, host stalls included, in start order. */
export function faultWindows(history: History, graceMs: number): FaultWindow[] {
  const events = history.events.toSorted((a, b) => a.t - b.t)
  const stalls: FaultWindow[] = (history.stalls ?? []).map((s) => ({
    name: HOST_STALL,
    targets: [],
    start: s.from,
    end: s.to,
    event: { t: s.from, kind: 'note', name: HOST_STALL, details: { ...s } },
  }))
  const faults = events.flatMap((event, i): FaultWindow[] => {
    if (event.kind !== 'fault-start') return []
    const close = events
      .slice(i + 1)
      .find((later) => later.kind === 'fault-end' && later.name === event.name && overlap(later.targets, event.targets))
    const end = close?.t ?? (event.lasts === 'instant' ? event.t + graceMs : Infinity)
    return [{ name: event.name, targets: event.targets ?? [], start: event.t, end, event, ...(close ? { closedBy: close } : {}) }]
  })
  return stalls.length ? [...faults, ...stalls].sort((a, b) => a.start - b.start) : faults
}

/** A node whose persisted state was wiped, between `from` and `to` (ms): it starts over from genesis. */
export interface ColdStart {
  node: string
  from: number
  to: number
}

const recoveries = ['start', 'restart']

/**
 * The cold starts among the {@link faultWindows} of a history: a `restart` with `fresh` (its own window), and a `crash` or `stop`
 * window closed by a `start` or `restart` with `fresh` (from the crash to the start: the node is down,
 * then starts over).
 */
export function coldStarts(windows: FaultWindow[]): ColdStart[] {
  return windows.flatMap((w) => {
    const cold =
      (recoveries.includes(w.name) && w.event.details?.fresh === true) ||
      (w.closedBy !== undefined && recoveries.includes(w.closedBy.by ?? '') && w.closedBy.details?.fresh === true)
    return cold ? w.targets.map((node) => ({ node, from: w.start, to: w.end })) : []
  })
}

/** Whether `node` started over (a {@link coldStarts | cold start}) between its samples at `from` and `to`. */
export function coldStartBetween(starts: ColdStart[], node: string, from: number, to: number): boolean {
  return starts.some((c) => c.node === node && c.from <= to && c.to > from)
}

/** Whether a window acts on `service` (a window without targets acts on every service). */
export function affects(window: FaultWindow, service: string): boolean {
  return window.targets.length === 0 || window.targets.includes(service)
}

/** The windows active at `t`, each extended by `afterMs` past its end. */
export function activeAt(windows: FaultWindow[], t: number, afterMs = 0): FaultWindow[] {
  return windows.filter((w) => w.start <= t && t < w.end + afterMs)
}

/** Nodes that sequence at some point: the first node (the sequencer) and any with `sequencerActive`. */
export function sequencerNodes(history: History): string[] {
  const names = new Set(history.nodes.slice(0, 1))
  for (const sample of history.samples) if (sample.sequencerActive) names.add(sample.node)
  return [...names]
}

/** Each node's samples in time order. */
export function samplesByNode(history: History): Map<string, NodeSample[]> {
  const out = new Map<string, NodeSample[]>()
  for (const sample of history.samples.toSorted((a, b) => a.t - b.t)) {
    const list = out.get(sample.node) ?? []
    list.push(sample)
    out.set(sample.node, list)
  }
  return out
}

/** Times at which the L1 samples show a block hash changing: a number seen with two hashes, or a parent mismatch. */
export function l1HashChanges(history: History): number[] {
  const known = new Map<number, string>()
  const times: number[] = []
  for (const sample of history.l1.toSorted((a, b) => a.t - b.t)) {
    let changed = false
    for (const ref of [sample.finalized, sample.safe, sample.head]) {
      const seen = known.get(ref.number)
      const parent = known.get(ref.number - 1)
      if ((seen !== undefined && seen !== ref.hash) || (parent !== undefined && parent !== ref.parentHash)) changed = true
    }
    for (const ref of [sample.finalized, sample.safe, sample.head]) {
      known.set(ref.number, ref.hash)
      known.set(ref.number - 1, ref.parentHash)
    }
    if (changed) times.push(sample.t)
  }
  return times
}

/** When a block at some number may have changed: L1 reorgs (fault events, L1 hash changes) and unsafe heads moving back. */
export function reorgTimes(history: History): number[] {
  const times = history.events.filter((e) => e.kind === 'fault-start' && e.name === 'l1Reorg').map((e) => e.t)
  times.push(...l1HashChanges(history))
  for (const samples of samplesByNode(history).values()) {
    samples.forEach((s, i) => {
      if (i > 0 && s.unsafe.number < samples[i - 1].unsafe.number) times.push(s.t)
    })
  }
  return times.sort((a, b) => a - b)
}

/** Whether `t` lies within `graceMs` after one of `boundaries` ({@link reorgTimes}): the nodes may still be following the reorg. */
export function inReorgGrace(t: number, boundaries: number[], graceMs: number): boolean {
  return boundaries.some((b) => b <= t && t < b + graceMs)
}

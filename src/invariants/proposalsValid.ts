import type { GameSample, History, Violation } from '../devnet/history.js'
import { faultWindows, type FaultWindow } from './faultWindows.js'
import { withDefaults } from './options.js'
import type { Invariant } from './types.js'

/**
 * Output proposals on L1 (`history.games`):
 * - every game that resolves DEFENDER_WINS claims the honest output root at its block (the sequencer's
 *   `optimism_outputAtBlock`, as last read while the game was open), and no game claiming it resolves
 *   CHALLENGER_WINS (an honest proposal never loses to the honest challenger);
 * - every game with a wrong root has its root countered within `counterMs` of being seen wrong, except
 *   while a fault stops the challenger, L1 or every service (the deadline moves to `counterMs` after such
 *   a window ends). A game an L1 reorg removed is held to the deadline only if the game that took its
 *   index was first seen after it.
 * A game that resolved before its block was safe is judged on the honest root read after; games whose
 * honest root was never learned (block never safe in the run) are not judged. A root read honest that an
 * L1 reorg then made wrong, resolved DEFENDER_WINS before the challenger's deadline from the change, is not
 * reported: its clock ran out before the challenger could be held to act (a reorg that re-includes the
 * game's creation replays it at about its old timestamp, with part of its clock gone).
 */
export const proposalsValid: Invariant = {
  id: 'proposalsValid',
  description: 'games resolved DEFENDER_WINS claim the honest output root; wrong roots are countered while the challenger runs',
  check(history, options) {
    const { graceMs, counterMs } = withDefaults(options)
    const samples = (history.games ?? []).toSorted((a, b) => a.t - b.t)
    if (!samples.length) return []
    // One list per game: an L1 reorg can replace the game at an index (and address) with another.
    const keyOf = (s: GameSample) => `${s.index}/${s.rootClaim}/${s.l2Block}`
    const byGame = new Map<string, GameSample[]>()
    for (const s of samples) byGame.set(keyOf(s), [...(byGame.get(keyOf(s)) ?? []), s])
    const end = Math.max(samples[samples.length - 1].t, ...history.l1.map((s) => s.t))
    const down = faultWindows(history, graceMs).filter(stopsChallenger(history))
    const out: Violation[] = []
    for (const list of byGame.values()) {
      const root = list[0].rootClaim
      const won = list.find((s) => s.status === 'DEFENDER_WINS' || s.status === 'CHALLENGER_WINS')
      // The honest root as last read while the game was open (an L1 reorg can change it); for a game that
      // resolved before its block was safe (short clocks, a fast devnet clock), the first one read after.
      const honest = list.filter((s) => !won || s.t <= won.t).findLast((s) => s.honestRoot !== undefined)?.honestRoot ?? list.find((s) => s.honestRoot !== undefined)?.honestRoot
      if (honest === undefined) continue
      if (won?.status === 'DEFENDER_WINS' && honest !== root) {
        // Made wrong by an L1 reorg (the chain changed under an honest root) with less time left than the
        // challenger is given to counter: its clock ran out first.
        const changed = madeWrongAt(list, root)
        if (changed !== undefined && won.t < counterDeadline(changed, counterMs, down)) continue
        out.push({
          invariant: this.id,
          t: won.t,
          message: `game ${won.index} (${won.address}) resolved DEFENDER_WINS with root ${won.rootClaim}, but the output root at block ${won.l2Block} is ${honest}`,
          evidence: [won],
        })
        continue
      }
      if (won?.status === 'CHALLENGER_WINS' && honest === root) {
        out.push({
          invariant: this.id,
          t: won.t,
          message: `game ${won.index} (${won.address}) resolved CHALLENGER_WINS, but its root ${root} is the output root at block ${won.l2Block}: an honest proposal lost`,
          evidence: [won],
        })
        continue
      }
      if (won || honest === root) continue
      // Wrong since the first sample after the last one that read it as right (or had no honest root yet).
      const rightAt = list.findLastIndex((s) => s.honestRoot === undefined || s.honestRoot === root)
      const since = list[rightAt + 1]!.t
      const deadline = counterDeadline(since, counterMs, down)
      const countered = list.find((s) => s.rootCountered)
      // Samples come when a game changes, so one left alone has a single sample. A game that another later
      // replaced at its index (an L1 reorg removed it) stood at most until that replacement was seen; one
      // never replaced stands to the end of the history.
      const last = list[list.length - 1]!
      const replaced = samples.find((s) => s.index === last.index && s.t > last.t && keyOf(s) !== keyOf(last))
      if ((countered ? countered.t : replaced ? replaced.t : end) > deadline) {
        const g = list[0]
        out.push({
          invariant: this.id,
          t: deadline,
          message: `game ${g.index} (${g.address}) proposes a wrong root for block ${g.l2Block} and was not countered within ${counterMs} ms while the challenger ran`,
          evidence: [g, ...(countered ? [countered] : [])],
        })
      }
    }
    return out.sort((a, b) => a.t - b.t)
  },
}

/** Windows that keep the challenger from acting: on the challenger, on L1, on the sequencer (its node) or on everything. */
function stopsChallenger(history: History): (w: FaultWindow) => boolean {
  const watched = ['challenger', 'l1', history.nodes[0]]
  return (w) => w.name !== 'invalidProposal' && (w.targets.length === 0 || w.targets.some((t) => watched.includes(t)))
}

/**
 * When the chain changed under `root` (an L1 reorg): the first sample that read another honest root after
 * one that read `root`; `undefined` for a root never read honest (a root read wrong at first is judged as
 * wrong from the start, even if a reorg came before that first read).
 */
function madeWrongAt(list: GameSample[], root: string): number | undefined {
  const lastRight = list.findLastIndex((s) => s.honestRoot === root)
  return lastRight < 0 ? undefined : list.slice(lastRight + 1).find((s) => s.honestRoot !== undefined && s.honestRoot !== root)?.t
}

/** `since + counterMs`, pushed to `counterMs` after the end of every window overlapping the time to counter. */
function counterDeadline(since: number, counterMs: number, windows: FaultWindow[]): number {
  let deadline = since + counterMs
  for (const w of windows.toSorted((a, b) => a.start - b.start)) {
    if (w.start < deadline && w.end > since) deadline = Math.max(deadline, w.end + counterMs)
  }
  return deadline
}

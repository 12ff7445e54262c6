/** Evaluating conditions against the heads seen now. */
import type { Comparison, Condition, Head, Operator, Term } from './condition.js'
import { formatTerm } from './condition.js'
import type { History } from '../devnet/history.js'

/** What a condition is evaluated against. */
export interface ConditionView {
  /**
   * Values by node name: L2 nodes' `unsafe`/`safe`/`finalized`/`reorgs` (and `served` with proxyd), `l1`'s
   * `head`/`safe`/`finalized`, `proxyd`'s `latest`/`group`/`backsteps`, and the `games` counts.
   */
  heads: Record<string, Partial<Record<Head, number>>>
  /** Values stored by `mark` steps. */
  marks: Record<string, number>
}

const compare: Record<Operator, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
}

/** The value of a term, or `undefined` if the view lacks it (e.g. a node that did not answer). */
export function termValue(term: Term, view: ConditionView): number | undefined {
  if (term.kind === 'number') return term.value
  const base = term.kind === 'mark' ? view.marks[term.name] : view.heads[term.node]?.[term.head]
  return base === undefined ? undefined : base + term.offset
}

/**
 * Whether every comparison holds; a comparison with a missing value does not hold.
 * @example
 * evaluateCondition(parseCondition('replica-0.safe >= 10'), { heads: { 'replica-0': { safe: 12 } }, marks: {} }) // true
 */
export function evaluateCondition(condition: Condition, view: ConditionView): boolean {
  return condition.comparisons.every((c) => holds(c, view))
}

function holds({ left, op, right }: Comparison, view: ConditionView): boolean {
  const [a, b] = [termValue(left, view), termValue(right, view)]
  return a !== undefined && b !== undefined && compare[op](a, b)
}

/**
 * The condition with the values it saw, for step results: `replica-0.safe (12) >= 10`.
 */
export function explainCondition(condition: Condition, view: ConditionView): string {
  const show = (term: Term) => {
    if (term.kind === 'number') return String(term.value)
    const value = termValue(term, view)
    return `${formatTerm(term)} (${value ?? 'unknown'})`
  }
  return condition.comparisons.map((c) => `${show(c.left)} ${c.op} ${show(c.right)}`).join(' and ')
}

/**
 * A view of the latest sample of every node and of L1 at or before `t` (default: the end of the history).
 * @example
 * evaluateCondition(condition, historyView(history, marks))
 */
export function historyView(history: History, marks: Record<string, number> = {}, t = Infinity): ConditionView {
  const heads: ConditionView['heads'] = {}
  const seen = new Map<string, number>()
  for (const s of history.samples) {
    if (s.t > t || (seen.get(s.node) ?? -Infinity) > s.t) continue
    seen.set(s.node, s.t)
    heads[s.node] = { unsafe: s.unsafe.number, safe: s.safe.number, finalized: s.finalized.number, reorgs: s.unsafeReorgs ?? 0 }
  }
  const l1 = history.l1.filter((s) => s.t <= t).reduce<History['l1'][number] | undefined>((a, b) => (a && a.t > b.t ? a : b), undefined)
  if (l1) heads.l1 = { head: l1.head.number, safe: l1.safe.number, finalized: l1.finalized.number }
  if (history.games) {
    const games = new Map<number, string>()
    for (const g of history.games) if (g.t <= t) games.set(g.index, g.status)
    const count = (status: string) => [...games.values()].filter((s) => s === status).length
    heads.games = { total: games.size, inProgress: count('IN_PROGRESS'), challengerWins: count('CHALLENGER_WINS'), defenderWins: count('DEFENDER_WINS') }
  }
  const proxyd = history.proxyd.filter((s) => s.t <= t).at(-1)
  if (proxyd) {
    heads.proxyd = { latest: proxyd.latest, group: proxyd.group, backsteps: proxyd.backsteps }
    for (const node of history.nodes) if (heads[node]) heads[node].served = proxyd.forwards[node] ?? 0
  }
  return { heads, marks }
}

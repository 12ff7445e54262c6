/**
 * Conditions of `wait` and `expect` steps: comparisons joined by `and`, parsed when the scenario loads.
 *
 * ```
 * cond  := cmp ("and" cmp)*
 * cmp   := term op term            op: >= > <= < == !=
 * term  := int | node "." head [(+|-) int] | "$" mark [(+|-) int]
 * ```
 * L2 nodes have heads `unsafe`, `safe`, `finalized`; `l1` has `head`, `safe`, `finalized`; `games` (the
 * dispute games on L1) has `total`, `inProgress`, `challengerWins`, `defenderWins`; `proxyd` (when the
 * devnet runs it) has `latest`, `group` and `backsteps` (see {@link PROXYD_VALUES}).
 * @example
 * parseCondition('replica-0.safe < $beforeReorg and replica-0.unsafe >= sequencer.unsafe - 2')
 */

/**
 * Values of a rollup node a condition can name: its heads, `reorgs` (the unsafe reorgs the recorder saw)
 * and `served` (requests proxyd forwarded to it so far, from proxyd's metrics).
 */
export const L2_HEADS = ['unsafe', 'safe', 'finalized', 'reorgs', 'served'] as const
export const L1_HEADS = ['head', 'safe', 'finalized'] as const
/** Counts of the dispute games the recorder saw, by status. */
export const GAME_COUNTS = ['total', 'inProgress', 'challengerWins', 'defenderWins'] as const
/**
 * Values of `proxyd`: `latest` (its block number as clients see it), `group` (backends in its consensus
 * group) and `backsteps` (times the recorder saw `latest` go back).
 */
export const PROXYD_VALUES = ['latest', 'group', 'backsteps'] as const
export const OPERATORS = ['>=', '<=', '==', '!=', '>', '<'] as const

export type Head = (typeof L2_HEADS)[number] | (typeof L1_HEADS)[number] | (typeof GAME_COUNTS)[number] | (typeof PROXYD_VALUES)[number]
export type Operator = (typeof OPERATORS)[number]

export type Term =
  | { kind: 'number'; value: number }
  /** A head of an L2 node, or of `l1`, plus `offset`. */
  | { kind: 'head'; node: string; head: Head; offset: number }
  /** A value stored by an earlier `mark` step, plus `offset`. */
  | { kind: 'mark'; name: string; offset: number }

export interface Comparison {
  left: Term
  op: Operator
  right: Term
}

export interface Condition {
  /** The text as written. */
  text: string
  /** All must hold. */
  comparisons: Comparison[]
}

/** What names a condition may use; a list left out is not checked. */
export interface ConditionContext {
  /** L2 node names (`l1` is always known). */
  nodes?: readonly string[]
  /** Marks set by earlier steps. */
  marks?: readonly string[]
  /** Whether `proxyd` may be named (the devnet runs it). @default false */
  proxyd?: boolean
}

/** A condition (or term) that does not parse; `reason` is the part after `cannot parse condition "…": `. */
export class ConditionError extends Error {
  override name = 'ConditionError'
  constructor(
    readonly text: string,
    readonly reason: string,
    what: 'condition' | 'value' = 'condition',
  ) {
    super(`cannot parse ${what} ${JSON.stringify(text)}: ${reason}`)
  }
}

/**
 * Parses a condition.
 * @throws {ConditionError} naming the first problem.
 */
export function parseCondition(text: string, context: ConditionContext = {}): Condition {
  const scanner = new Scanner(text, context)
  const comparisons: Comparison[] = []
  do {
    const left = scanner.term()
    const op = scanner.operator()
    comparisons.push({ left, op, right: scanner.term() })
  } while (scanner.and())
  return { text, comparisons }
}

/**
 * Parses a single term (the `value` of a `mark` step).
 * @throws {ConditionError}
 */
export function parseTerm(text: string, context: ConditionContext = {}): Term {
  const scanner = new Scanner(text, context, 'value')
  const term = scanner.term()
  scanner.end()
  return term
}

/** A term as it would be written. */
export function formatTerm(term: Term): string {
  const offset = 'offset' in term && term.offset ? ` ${term.offset > 0 ? '+' : '-'} ${Math.abs(term.offset)}` : ''
  if (term.kind === 'number') return String(term.value)
  return term.kind === 'mark' ? `$${term.name}${offset}` : `${term.node}.${term.head}${offset}`
}

/** A condition in canonical spacing. */
export function formatCondition(condition: Condition): string {
  return condition.comparisons.map((c) => `${formatTerm(c.left)} ${c.op} ${formatTerm(c.right)}`).join(' and ')
}

class Scanner {
  private i = 0

  constructor(
    private readonly text: string,
    private readonly context: ConditionContext,
    private readonly what: 'condition' | 'value' = 'condition',
  ) {}

  term(): Term {
    this.skip()
    const start = this.i
    const word = this.match(/\d+/y)
    if (word !== undefined) {
      if (this.peek(/[A-Za-z_$.-]/y)) {
        this.i = start
        this.fail(`expected a number, "<node>.<head>" or "$<mark>", found ${this.found()}`)
      }
      return { kind: 'number', value: Number(word) }
    }
    if (this.match(/\$/y) !== undefined) {
      const name = this.match(/[A-Za-z_][A-Za-z0-9_]*/y)
      if (name === undefined) this.fail(`expected a mark name after "$", found ${this.found()}`)
      const { marks } = this.context
      if (marks && !marks.includes(name)) this.fail(`unknown mark "$${name}"; set it with a "mark" step before this one`)
      return { kind: 'mark', name, offset: this.offset() }
    }
    const node = this.match(/[a-z][a-z0-9-]*/y)
    if (node === undefined) this.fail(`expected a number, "<node>.<head>" or "$<mark>", found ${this.found()}`)
    if (this.match(/\./y) === undefined) {
      this.i = start
      this.fail(`expected "<node>.<head>", found ${this.found()}`)
    }
    const head = this.match(/[A-Za-z_][A-Za-z0-9_]*/y)
    if (head === undefined) this.fail(`expected a head after "${node}.", found ${this.found()}`)
    const { nodes, proxyd } = this.context
    if (node === 'games') {
      if (!(GAME_COUNTS as readonly string[]).includes(head)) this.fail(`unknown count ${JSON.stringify(head)} of games; expected one of: ${GAME_COUNTS.join(', ')}`)
      return { kind: 'head', node, head: head as Head, offset: this.offset() }
    }
    const special = node === 'l1' ? L1_HEADS : node === 'proxyd' && proxyd ? PROXYD_VALUES : undefined
    if (!special && nodes && !nodes.includes(node)) {
      this.fail(`unknown node ${JSON.stringify(node)}; expected one of: ${[...nodes, 'l1', ...(proxyd ? ['proxyd'] : [])].join(', ')}`)
    }
    if (special && !(special as readonly string[]).includes(head)) {
      this.fail(`unknown ${node === 'l1' ? 'head' : 'value'} ${JSON.stringify(head)} of ${node}; expected one of: ${special.join(', ')}`)
    }
    if (!special && !(L2_HEADS as readonly string[]).includes(head)) this.fail(`unknown head ${JSON.stringify(head)}`)
    return { kind: 'head', node, head: head as Head, offset: this.offset() }
  }

  operator(): Operator {
    this.skip()
    const op = OPERATORS.find((o) => this.text.startsWith(o, this.i))
    if (op === undefined) this.fail(`expected an operator (${OPERATORS.join(', ')}), found ${this.found()}`)
    this.i += op.length
    return op
  }

  /** Consumes `and`; `false` at the end of the text. */
  and(): boolean {
    this.skip()
    if (this.i === this.text.length) return false
    if (this.match(/and(?=\s|$)/y) === undefined) this.fail(`expected "and" or the end, found ${this.found()}`)
    return true
  }

  end(): void {
    this.skip()
    if (this.i < this.text.length) this.fail(`expected the end, found ${this.found()}`)
  }

  private offset(): number {
    const start = this.i
    this.skip()
    const sign = this.match(/[+-]/y)
    if (sign === undefined) {
      this.i = start
      return 0
    }
    this.skip()
    const digits = this.match(/\d+/y)
    if (digits === undefined) this.fail(`expected a number after "${sign}", found ${this.found()}`)
    return sign === '-' ? -Number(digits) : Number(digits)
  }

  private skip(): void {
    this.match(/\s+/y)
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.i
    const m = pattern.exec(this.text)
    if (!m) return undefined
    this.i += m[0].length
    return m[0]
  }

  private peek(pattern: RegExp): boolean {
    pattern.lastIndex = this.i
    return pattern.test(this.text)
  }

  /** The next token, quoted, for `found …`. */
  private found(): string {
    const rest = this.text.slice(this.i).trimStart()
    return rest ? JSON.stringify(/^(\S+)/.exec(rest)![1]) : 'the end'
  }

  private fail(reason: string): never {
    throw new ConditionError(this.text, reason, this.what)
  }
}

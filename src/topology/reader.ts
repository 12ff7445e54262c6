import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml'
import { SpecError } from '../errors.js'

/** One validation failure, located by dotted/indexed path and 1-based line. */
export interface Issue {
  path: string
  line?: number
  message: string
}

/** A YAML node after alias resolution; `null` for an absent or empty value. */
export type YNode = Node | null

/** Reads one value at `path`; records an issue and returns `undefined` when it is invalid. */
export type Check<T> = (r: Reader, node: YNode, path: string) => T | undefined

/** One key of a mapping: its value node and where it is. */
export interface Entry {
  node: YNode
  path: string
  line?: number
}

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/

/** Appends a key or an index to a path: `join('l2', 'nodes')`, `join('l2.nodes', 1)`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return path ? `${path}.${key}` : key
}

/** Quotes what was found, for `found …` in messages. */
export function describe(node: YNode): string {
  if (isMap(node)) return 'a mapping'
  if (isSeq(node)) return 'a list'
  const value = isScalar(node) ? node.value : null
  if (value === null || value === undefined) return 'an empty value'
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/**
 * Walks a parsed YAML document, collecting issues instead of throwing, and remembering the line of
 * every value it visits so later checks can point at it.
 */
export class Reader {
  readonly issues: Issue[] = []
  /** Line of every value the file gives, by path. */
  readonly lines = new Map<string, number | undefined>()

  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The node with aliases resolved; empty scalars become `null`. */
  resolve(node: unknown): YNode {
    const resolved = isAlias(node) ? node.resolve(this.doc) : node
    if (isScalar(resolved) && resolved.value === null) return null
    return isMap(resolved) || isSeq(resolved) || isScalar(resolved) ? resolved : null
  }

  line(node: unknown): number | undefined {
    const range = (node as Node | null)?.range
    return range ? this.lineCounter.linePos(range[0]).line : undefined
  }

  /** Records an issue; returns `undefined` so checks can `return r.fail(…)`. */
  fail(path: string, line: number | undefined, message: string): undefined {
    this.issues.push({ path, line, message })
    return undefined
  }

  /**
   * The entries of a mapping, in document order. Keys not in `known` are reported with `unknown`
   * (default: `unknown key "k"; expected one of: …`). An empty value reads as an empty mapping.
   */
  entries(
    node: YNode,
    path: string,
    known: readonly string[],
    unknown = (key: string) => `unknown key ${JSON.stringify(key)}; expected one of: ${known.join(', ')}`,
  ): Map<string, Entry> {
    const out = new Map<string, Entry>()
    if (node === null) return out
    if (!isMap(node)) {
      this.fail(path, this.line(node), `expected a mapping, found ${describe(node)}`)
      return out
    }
    for (const pair of node.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key)
      const keyPath = join(path, key)
      if (!known.includes(key)) {
        this.fail(keyPath, this.line(pair.key), unknown(key))
        continue
      }
      const value = this.resolve(pair.value)
      const line = this.line(value) ?? this.line(pair.key)
      this.lines.set(keyPath, line)
      out.set(key, { node: value, path: keyPath, line })
    }
    return out
  }

  /** The items of a list; `undefined` (reported) if `node` is not a list. */
  items(node: YNode, path: string): Entry[] | undefined {
    if (!isSeq(node)) return this.fail(path, this.line(node), `expected a list, found ${describe(node)}`)
    return node.items.map((item, i) => {
      const value = this.resolve(item)
      const entry = { node: value, path: join(path, i), line: this.line(value) ?? this.line(node) }
      this.lines.set(entry.path, entry.line)
      return entry
    })
  }

  /** A reader over the same document with no issues yet: reads a nested part as if it were a whole file. */
  fork(): Reader {
    return new Reader(this.doc, this.lineCounter)
  }

  /** Takes over the issues of a {@link fork}, their paths moved under `prefix` (`''` becomes `prefix`). */
  adopt(fork: Reader, prefix: string): void {
    for (const issue of fork.issues) {
      this.issues.push({ ...issue, path: issue.path ? join(prefix, issue.path) : prefix })
    }
  }

  /**
   * Reads a mapping whose keys are exactly those of `checks`: given keys are checked, missing (or
   * invalid) ones are taken from a copy of `fallback`.
   */
  section<T extends object>(node: YNode, path: string, checks: { [K in keyof T]-?: Check<T[K]> }, fallback: T): T {
    const out = structuredClone(fallback)
    for (const [key, entry] of this.entries(node, path, Object.keys(checks))) {
      const value = checks[key as keyof T](this, entry.node, entry.path)
      if (value !== undefined) out[key as keyof T] = value
    }
    return out
  }
}

/** An integer in `[min, max]`. */
export function int(min: number, max = Number.MAX_SAFE_INTEGER): Check<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`
  return (r, node, path) => {
    const value = isScalar(node) ? node.value : undefined
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value
    return r.fail(path, r.line(node), `expected ${expected}, found ${describe(node)}`)
  }
}

/** `true` or `false`. */
export const bool: Check<boolean> = (r, node, path) => {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value
  return r.fail(path, r.line(node), `expected true or false, found ${describe(node)}`)
}

/** Any string. */
export const str: Check<string> = (r, node, path) => {
  if (isScalar(node) && typeof node.value === 'string') return node.value
  return r.fail(path, r.line(node), `expected a string, found ${describe(node)}`)
}

/** A name that can become a container or directory name. */
export const name: Check<string> = (r, node, path) => {
  const value = str(r, node, path)
  if (value === undefined || NAME_PATTERN.test(value)) return value
  return r.fail(
    path,
    r.line(node),
    `expected a name matching ${NAME_PATTERN} (a lowercase letter, then up to 30 lowercase letters, digits or "-"), found ${describe(node)}`,
  )
}

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(...values: T[]): Check<T> {
  return (r, node, path) => {
    const value = isScalar(node) ? node.value : undefined
    if (values.includes(value as T)) return value as T
    return r.fail(path, r.line(node), `expected one of: ${values.join(', ')}; found ${describe(node)}`)
  }
}

/**
 * Parses YAML text into a {@link Reader} over it and its root value.
 * @throws {SpecError} for invalid YAML, one issue per syntax error.
 */
export function readYaml(text: string, file: string): { reader: Reader; root: YNode } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  if (doc.errors.length) {
    throw specError(
      file,
      doc.errors.map((error) => ({
        path: '',
        // An error found at the end of the file belongs to its last line, not the empty one after it.
        line: lineCounter.linePos(Math.min(error.pos[0], text.trimEnd().length)).line,
        message: `invalid YAML: ${error.code === 'MULTIPLE_DOCS' ? 'expected a single document' : error.message}`,
      })),
    )
  }
  const reader = new Reader(doc, lineCounter)
  return { reader, root: reader.resolve(doc.contents) }
}

/** One SpecError for all issues, sorted by line; the first is formatted by SpecError, the rest follow. */
export function specError(file: string, issues: Issue[]): SpecError {
  const [first, ...rest] = issues.toSorted((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))
  const format = (issue: Issue) =>
    `${issue.line === undefined ? file : `${file}:${issue.line}`} ${issue.path || '(root)'}: ${issue.message}`
  return new SpecError({ file, line: first.line, path: first.path, message: [first.message, ...rest.map(format)].join('\n') })
}

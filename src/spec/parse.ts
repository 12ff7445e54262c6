import { readFile } from 'node:fs/promises'
import { LineCounter, parseDocument } from 'yaml'
import { DevnetError, SpecError } from '../errors.js'
import { checkTopology } from './check.js'
import { defaultTopology } from './defaults.js'
import { Reader, type Issue } from './reader.js'
import { readTopology } from './resolve.js'
import type { Topology } from './types.js'

/**
 * Parses, defaults and validates the text of a `devnet.yaml`.
 *
 * @param file Name used in error messages (`<file>:<line> <path>: <message>`).
 * @throws {SpecError} listing every problem, one per line, in document order; `path`/`line` are the first's.
 */
export function parseTopology(text: string, file: string): Topology {
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
  const r = new Reader(doc, lineCounter)
  const topology = readTopology(r, r.resolve(doc.contents))
  // Cross-key checks only make sense once every key is valid on its own.
  if (!r.issues.length) checkTopology(r, topology)
  if (r.issues.length) throw specError(file, r.issues)
  return topology
}

/**
 * Reads and parses a `devnet.yaml`; without `file`, returns the built-in default topology.
 *
 * @throws {DevnetError} `DEVNET_SPEC_NOT_FOUND` if the file does not exist.
 * @throws {SpecError} if it is invalid (see {@link parseTopology}).
 */
export async function loadTopology(file?: string): Promise<Topology> {
  if (file === undefined) return defaultTopology()
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DevnetError(`topology file not found: ${file}`, { code: 'DEVNET_SPEC_NOT_FOUND', cause: error })
    }
    throw new DevnetError(`cannot read topology file ${file}: ${(error as Error).message}`, {
      code: 'DEVNET_SPEC_INVALID',
      cause: error,
    })
  }
  return parseTopology(text, file)
}

/** One SpecError for all issues, sorted by line; the first is formatted by SpecError, the rest follow. */
function specError(file: string, issues: Issue[]): SpecError {
  const [first, ...rest] = issues.toSorted((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER))
  const format = (issue: Issue) =>
    `${issue.line === undefined ? file : `${file}:${issue.line}`} ${issue.path || '(root)'}: ${issue.message}`
  return new SpecError({ file, line: first.line, path: first.path, message: [first.message, ...rest.map(format)].join('\n') })
}

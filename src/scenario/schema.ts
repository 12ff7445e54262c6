/**
 * The scenario file format: reads a parsed scenario YAML into a {@link Scenario}, collecting every
 * problem on the reader with its YAML path and line.
 *
 * ```yaml
 * name: l1-reorg-shallow          # default: the file name without .yaml
 * description: ...
 * seed: 1                         # of every random choice; default: drawn per run and recorded
 * topology: { l2: { sequencingWindow: 6 } }   # or a path to a devnet.yaml; absent: the default topology
 * sample: 250                     # recorder interval, ms
 * invariants: { except: [unsafeLiveness], liveness: { unsafeStallMs: 8000 } }   # default: all
 * steps:
 *   - wait: "replica-0.safe >= 10"
 *     timeout: 60s
 *   - mark: { name: before, value: replica-0.safe }
 *   - fault: l1Reorg
 *     args: { depth: 3 }
 *   - expect: "replica-0.safe < $before"
 *     within: 20s
 *   - expect: { always: "replica-0.finalized >= 1", for: 10s }
 *   - heal: {}
 *   - sleep: 5s
 *   - load: { rate: 5, duration: 30s, node: sequencer }   # node: proxyd sends through proxyd
 *   - fault: crash                # any step may say when it starts: `at` after the run started
 *     args: { service: batcher }  # (the devnet up); it waits for the steps before it, then for its time
 *     at: 90s
 * ```
 */
import { readFileSync } from 'node:fs'
import { basename, dirname, join as joinPath, resolve } from 'node:path'
import { isMap, isScalar } from 'yaml'
import { invariantDefaults, invariantIds } from '../invariants/index.js'
import { checkTopology } from '../topology/check.js'
import { defaultTopology } from '../topology/defaults.js'
import { parseTopology } from '../topology/parse.js'
import { describe, int, name, str, type Entry, type Reader, type YNode } from '../topology/reader.js'
import { readTopology } from '../topology/resolve.js'
import type { Topology } from '../topology/types.js'
import { member, namesOf } from '../faults/checks.js'
import { millis } from './checks.js'
import { readSteps } from './steps.js'
import type { Scenario } from './types.js'

const KEYS = ['name', 'description', 'seed', 'topology', 'sample', 'invariants', 'steps'] as const

/** Defaults of a scenario file's top-level keys (no `seed`: a run without one draws one and records it). */
export const scenarioDefaults = {
  /** @default 250 */
  sampleMs: 250,
}

/** Reads a scenario; the result is only meaningful if `r` has no issues afterwards. */
export function readScenario(r: Reader, root: YNode, file: string): Scenario {
  const entries = r.entries(root, '', KEYS)
  const get = <T>(key: (typeof KEYS)[number], check: (r: Reader, node: YNode, path: string) => T | undefined, fallback: T): T => {
    const entry = entries.get(key)
    return (entry && check(r, entry.node, entry.path)) ?? fallback
  }
  const { topology, topologyFile } = readTopologyKey(r, entries.get('topology'), file)
  const names = namesOf(topology)
  const steps = entries.get('steps')
  if (!steps && (root === null || isMap(root))) r.fail('', r.line(root), 'missing required key "steps"')
  return {
    name: get('name', name, basename(file).replace(/\.ya?ml$/, '')),
    description: get('description', str, ''),
    ...(entries.has('seed') ? { seed: get('seed', int(0, 2 ** 32 - 1), 0) } : {}),
    topology,
    ...(topologyFile ? { topologyFile } : {}),
    sampleMs: get('sample', millis, scenarioDefaults.sampleMs),
    invariants: readInvariants(r, entries.get('invariants')),
    steps: steps ? readSteps(r, steps, names) : [],
    file,
  }
}

/** `topology`: absent (default), a path relative to the scenario file, or an inline devnet.yaml mapping. */
function readTopologyKey(r: Reader, entry: Entry | undefined, file: string): { topology: Topology; topologyFile?: string } {
  if (!entry || entry.node === null) return { topology: defaultTopology() }
  if (isMap(entry.node)) {
    // The spec layer's reader on a fork of ours: lines stay those of the scenario file, paths gain `topology.`.
    const sub = r.fork()
    const topology = readTopology(sub, entry.node)
    if (!sub.issues.length) checkTopology(sub, topology)
    r.adopt(sub, entry.path)
    return { topology }
  }
  const value = isScalar(entry.node) ? entry.node.value : undefined
  if (typeof value !== 'string') {
    r.fail(entry.path, entry.line, `expected a mapping (an inline topology) or the path of a devnet.yaml, found ${describe(entry.node)}`)
    return { topology: defaultTopology() }
  }
  const shown = joinPath(dirname(file), value)
  let text: string
  try {
    text = readFileSync(shown, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'topology file not found' : `cannot read topology file (${(error as Error).message})`
    r.fail(entry.path, entry.line, `${reason}: ${shown}`)
    return { topology: defaultTopology() }
  }
  try {
    return { topology: parseTopology(text, shown), topologyFile: resolve(shown) }
  } catch (error) {
    const lines = (error as Error).message.split('\n').map((line) => `  ${line}`)
    r.fail(entry.path, entry.line, [`invalid topology file ${shown}:`, ...lines].join('\n'))
    return { topology: defaultTopology() }
  }
}

/** `invariants`: `all` or `{ except: [ids], liveness: { unsafeStallMs, safeStallMs } }`. */
function readInvariants(r: Reader, entry: Entry | undefined): Scenario['invariants'] {
  const liveness = { unsafeStallMs: invariantDefaults.unsafeStallMs, safeStallMs: invariantDefaults.safeStallMs }
  const fallback = { except: [], options: liveness }
  if (!entry || entry.node === null || (isScalar(entry.node) && entry.node.value === 'all')) return fallback
  if (!isMap(entry.node)) {
    r.fail(entry.path, entry.line, `expected "all" or a mapping with except and liveness, found ${describe(entry.node)}`)
    return fallback
  }
  const given = r.entries(entry.node, entry.path, ['except', 'liveness'])
  const except = given.get('except')
  const options = given.get('liveness')
  const known = member('invariant', invariantIds)
  return {
    except: except ? (r.items(except.node, except.path)?.flatMap((item) => known(r, item.node, item.path) ?? []) ?? []) : [],
    options: options ? r.section(options.node, options.path, { unsafeStallMs: millis, safeStallMs: millis }, liveness) : liveness,
  }
}

/**
 * Reads the arguments of a fault against a topology's names, with the registry's schema: the same checks
 * and `path: expected …` messages for scenario steps (YAML) and `devnet fault --<arg> <value>` (each
 * value read as a YAML flow value: `3`, `true`, `[[replica-0], [sequencer, l1]]`).
 */
import { isMap } from 'yaml'
import { DevnetError } from '../errors.js'
import { join, readYaml, type Entry, type Reader } from '../topology/reader.js'
import type { Names } from './checks.js'
import { faultDefinition, FAULT_NAMES, type FaultCall, type FaultName } from './registry.js'

/**
 * Reads the arguments of fault `name` from `args` (a mapping; absent = none); `at` is where missing
 * arguments are reported when `args` is absent. Returns `undefined` (with issues on `r`) if invalid.
 */
export function readFault(r: Reader, name: FaultName, args: Entry | undefined, at: Entry, names: Names): FaultCall | undefined {
  const def = faultDefinition(name)
  const spec = def.args(names)
  const keys = Object.keys(spec)
  const where = args ?? at
  const unknown = (key: string) =>
    keys.length
      ? `unknown argument ${JSON.stringify(key)} for ${name}; expected one of: ${keys.join(', ')}`
      : `unknown argument ${JSON.stringify(key)}; ${name} takes no arguments`
  const given = r.entries(where === args ? args.node : null, where.path, keys, unknown)
  if (args && args.node !== null && !isMap(args.node)) return undefined
  const out: Record<string, unknown> = {}
  let valid = true
  for (const [key, arg] of Object.entries(spec)) {
    const entry = given.get(key)
    const value = entry ? arg.check(r, entry.node, entry.path) : arg.default
    if (!entry && !('default' in arg)) r.fail(where.path, where.line, `missing required argument ${JSON.stringify(key)} for ${name}`)
    // An optional argument may default to nothing; a given one that reads as undefined failed its check.
    if (value !== undefined) out[key] = value
    else if (entry || !('default' in arg)) valid = false
  }
  if (!valid) return undefined
  const problem = def.check?.(out, names)
  if (problem) {
    const path = join(where.path, problem.at)
    return r.fail(path, r.lines.get(path), problem.message)
  }
  return { name, args: out } as FaultCall
}

/**
 * Throws `DEVNET_USAGE` unless `name` is a fault of the registry.
 * @example
 * assertFaultName('l1reorg') // throws: fault: unknown fault "l1reorg"; expected one of: l1Reorg, ...
 */
export function assertFaultName(name: string): asserts name is FaultName {
  if (!(FAULT_NAMES as string[]).includes(name)) {
    throw new DevnetError(`fault: unknown fault ${JSON.stringify(name)}; expected one of: ${FAULT_NAMES.join(', ')}`, { code: 'DEVNET_USAGE' })
  }
}

/**
 * Reads `devnet fault <name> --<arg> <value>…`: `options` are the words after the name. Problems are
 * reported as in a scenario file, without file and line: `args.depth: expected an integer >= 1, found "x"`.
 * @throws DevnetError (`DEVNET_USAGE`) listing every problem.
 * @example
 * parseFaultOptions('l1Reorg', ['--depth', '3'], names) // { name: 'l1Reorg', args: { depth: 3, reinclude: false, allowFinalized: false } }
 */
export function parseFaultOptions(name: string, options: string[], names: Names): FaultCall {
  assertFaultName(name)
  const lines: string[] = []
  for (let i = 0; i < options.length; i += 2) {
    const [flag, value] = [options[i], options[i + 1]]
    const key = /^--([A-Za-z][A-Za-z0-9]*)$/.exec(flag)?.[1]
    if (!key) throw new DevnetError(`fault ${name}: expected --<argument> <value>, found ${JSON.stringify(flag)}`, { code: 'DEVNET_USAGE' })
    if (value === undefined || /[\n\r]/.test(value)) throw new DevnetError(`fault ${name}: expected a value after ${flag}`, { code: 'DEVNET_USAGE' })
    lines.push(`${key}: ${value}`)
  }
  const file = `devnet fault ${name}`
  const usage = (message: string) => new DevnetError(message, { code: 'DEVNET_USAGE' })
  let reader: Reader
  let root: Entry['node']
  try {
    ;({ reader, root } = readYaml(lines.join('\n'), file))
  } catch (error) {
    throw usage(`${file}: ${(error as Error).message.split('\n')[0].replace(/^\S+ \(root\): /, '')}`)
  }
  const call = readFault(reader, name as FaultName, lines.length ? { node: root, path: 'args' } : undefined, { node: null, path: 'args' }, names)
  if (reader.issues.length || !call) throw usage(reader.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'))
  return call
}

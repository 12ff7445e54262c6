/** Reads the `steps` of a scenario file. */
import { getAddress, isAddress, parseEther, type Address } from 'viem'
import { isMap, isScalar } from 'yaml'
import { describe, int, join, oneOf, str, type Entry, type Reader } from '../topology/reader.js'
import { readWei } from '../topology/settlement.js'
import { member, number } from '../faults/checks.js'
import { condition, duration, term } from './checks.js'
import { formatTerm, type Condition } from './condition.js'
import { formatDuration } from './duration.js'
import { FAULT_NAMES, readFault, type FaultCall, type FaultName, type Names } from '../faults/index.js'
import type { DepositStep, Step } from './types.js'

/** Step kinds (exactly one per step) and the keys each allows beside its own and `label`. */
const KINDS = { wait: ['timeout'], expect: ['within'], fault: ['args'], heal: [], sleep: [], load: [], deposit: ['timeout'], mark: [], withdraw: ['within'] } as const
type Kind = keyof typeof KINDS
const KIND_NAMES = Object.keys(KINDS) as Kind[]

const MARK_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Defaults of the step keys. */
export const stepDefaults = {
  /** `wait.timeout` @default 60s */
  waitTimeoutMs: 60_000,
  /** `expect.within` @default 30s */
  expectWithinMs: 30_000,
  /** `withdraw.within` @default 60s */
  withdrawWithinMs: 60_000,
  /** `withdraw.account`: a funded account no role and no load step uses. @default 5 */
  withdrawAccount: 5,
  /** `deposit.value`, in ETH @default 1 */
  depositValueEth: 1,
  /** `deposit` `timeout` @default 30s */
  depositTimeoutMs: 30_000,
}

/** Reads `steps`; marks become known to the steps after the one that sets them. */
export function readSteps(r: Reader, entry: Entry, names: Names): Step[] {
  const items = r.items(entry.node, entry.path)
  if (!items) return []
  if (!items.length) r.fail(entry.path, entry.line, 'expected at least one step')
  const marks: string[] = []
  return items.flatMap((item, index) => readStep(r, item, index, names, marks) ?? [])
}

function readStep(r: Reader, item: Entry, index: number, names: Names, marks: string[]): Step | undefined {
  const { node, path, line } = item
  const kindList = KIND_NAMES.join(', ')
  if (!isMap(node)) return r.fail(path, line, `expected a mapping with one of: ${kindList}; found ${describe(node)}`)
  const keys = node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key))
  const kinds = keys.filter((key): key is Kind => key in KINDS)
  if (kinds.length !== 1) {
    const found = kinds.length ? kinds.join(' and ') : 'none'
    return r.fail(path, line, `expected exactly one of: ${kindList}; found ${found}`)
  }
  const kind = kinds[0]
  const entries = r.entries(node, path, [kind, ...KINDS[kind], 'label', 'at'])
  const own = entries.get(kind)!
  const label = entries.has('label') ? str(r, entries.get('label')!.node, entries.get('label')!.path) : undefined
  const atEntry = entries.get('at')
  const atMs = atEntry && atTime(r, atEntry)
  if (atEntry && atMs === undefined) return undefined
  const base = { index, path, line, ...(atMs === undefined ? {} : { atMs }) }
  const context = { nodes: names.nodes, marks: [...marks], proxyd: names.services.includes('proxyd') }
  const companion = (key: string) => entries.get(key)

  switch (kind) {
    case 'wait': {
      const cond = condition(context)(r, own.node, own.path)
      const timeoutMs = option(r, companion('timeout'), stepDefaults.waitTimeoutMs)
      if (!cond || timeoutMs === undefined) return undefined
      return { ...base, kind, condition: cond, timeoutMs, label: label ?? `wait ${cond.text}` }
    }
    case 'expect':
      return readExpect(r, own, companion('within'), base, context, label)
    case 'fault':
    case 'heal': {
      const name = kind === 'heal' ? 'heal' : member('fault', FAULT_NAMES)(r, own.node, own.path)
      if (name === undefined) return undefined
      const args = kind === 'heal' ? own : companion('args')
      const fault = readFault(r, name as FaultName, args, { node: null, path: join(path, 'args'), line: own.line }, names)
      return fault && { ...base, kind: 'fault', fault, label: label ?? faultLabel(fault) }
    }
    case 'sleep': {
      const ms = duration(r, own.node, own.path)
      return ms === undefined ? undefined : { ...base, kind, ms, label: label ?? `sleep ${formatDuration(ms)}` }
    }
    case 'load':
      return readLoad(r, own, base, names, label)
    case 'withdraw':
      return readWithdraw(r, own, companion('within'), base, names, label)
    case 'deposit': {
      const step = readDeposit(r, own, companion('timeout'), base, names, label)
      if (step?.mark) marks.push(step.mark)
      return step
    }
    case 'mark': {
      const spec = r.entries(own.node, own.path, ['name', 'value'])
      if (own.node === null || isMap(own.node)) {
        for (const key of ['name', 'value']) if (!spec.has(key)) r.fail(own.path, own.line, `missing required key "${key}"`)
      }
      const nameEntry = spec.get('name')
      const name = nameEntry && str(r, nameEntry.node, nameEntry.path)
      if (nameEntry && name !== undefined && !MARK_NAME.test(name)) {
        r.fail(nameEntry.path, nameEntry.line, `expected a mark name (a letter or "_", then letters, digits or "_"), found ${JSON.stringify(name)}`)
        return undefined
      }
      const valueEntry = spec.get('value')
      const value = valueEntry && term(context)(r, valueEntry.node, valueEntry.path)
      if (name !== undefined) marks.push(name)
      if (name === undefined || value === undefined) return undefined
      return { ...base, kind, name, value, label: label ?? `mark $${name} = ${formatTerm(value)}` }
    }
  }
}

/** An optional duration key; `undefined` only if it is given and invalid. */
function option(r: Reader, entry: Entry | undefined, fallback: number): number | undefined {
  return entry ? duration(r, entry.node, entry.path) : fallback
}

type Base = { index: number; path: string; line?: number; atMs?: number }

/** `at`: a duration since the run started (`0s` allowed), e.g. `at: 90s`, `at: 34.8s`. */
function atTime(r: Reader, entry: Entry): number | undefined {
  const value = isScalar(entry.node) ? entry.node.value : undefined
  if (typeof value === 'string' && /^0(\.0+)?(ms|s|m|h)$/.test(value.trim())) return 0
  return duration(r, entry.node, entry.path)
}

function readExpect(
  r: Reader,
  own: Entry,
  within: Entry | undefined,
  base: Base,
  context: { nodes: string[]; marks: string[]; proxyd: boolean },
  label: string | undefined,
): Step | undefined {
  if (!isMap(own.node)) {
    const cond = condition(context)(r, own.node, own.path)
    const withinMs = option(r, within, stepDefaults.expectWithinMs)
    if (!cond || withinMs === undefined) return undefined
    return { ...base, kind: 'expect', mode: 'eventually', condition: cond, withinMs, label: label ?? `expect ${cond.text} within ${formatDuration(withinMs)}` }
  }
  const spec = r.entries(own.node, own.path, ['always', 'for'])
  for (const key of ['always', 'for']) if (!spec.has(key)) r.fail(own.path, own.line, `missing required key "${key}"`)
  if (within) r.fail(within.path, within.line, 'not allowed with expect.always; the condition must hold for expect.for')
  const always = spec.get('always')
  const forEntry = spec.get('for')
  const cond = always && condition(context)(r, always.node, always.path)
  const forMs = forEntry && duration(r, forEntry.node, forEntry.path)
  if (!cond || forMs === undefined || within) return undefined
  return { ...base, kind: 'expect', mode: 'always', condition: cond, forMs, label: label ?? `expect always ${cond.text} for ${formatDuration(forMs)}` }
}

function readLoad(r: Reader, own: Entry, base: Base, names: Names, label: string | undefined): Step | undefined {
  const spec = r.entries(own.node, own.path, ['rate', 'duration', 'node', 'tx'])
  if (own.node === null || isMap(own.node)) {
    for (const key of ['rate', 'duration']) if (!spec.has(key)) r.fail(own.path, own.line, `missing required key "${key}"`)
  }
  const get = <T>(key: string, check: (r: Reader, node: Entry['node'], path: string) => T | undefined) => {
    const entry = spec.get(key)
    return entry && check(r, entry.node, entry.path)
  }
  const rate = get('rate', number(0))
  const durationMs = get('duration', duration)
  const node = get('node', member('node', names.services.includes('proxyd') ? [...names.nodes, 'proxyd'] : names.nodes))
  const tx = get('tx', oneOf('transfers', 'deposits', 'withdrawals'))
  const txEntry = spec.get('tx')
  if (tx === 'deposits' && spec.has('node')) r.fail(spec.get('node')!.path, spec.get('node')!.line, 'not allowed with tx: deposits (deposits go to L1)')
  if (rate === undefined || durationMs === undefined || (spec.has('node') && (node === undefined || tx === 'deposits')) || (txEntry && tx === undefined)) return undefined
  const on = node === undefined ? '' : ` on ${node}`
  return {
    ...base,
    kind: 'load',
    rate,
    durationMs,
    ...(node === undefined ? {} : { node }),
    ...(tx === 'deposits' || tx === 'withdrawals' ? { tx } : {}),
    label: label ?? `load ${rate} ${tx === 'deposits' || tx === 'withdrawals' ? tx : 'tx'}/s for ${formatDuration(durationMs)}${on}`,
  }
}

function readWithdraw(r: Reader, own: Entry, within: Entry | undefined, base: Base, names: Names, label: string | undefined): Step | undefined {
  const spec = r.entries(own.node, own.path, ['value', 'account'])
  if (own.node === null || isMap(own.node)) {
    if (!spec.has('value')) r.fail(own.path, own.line, 'missing required key "value"')
  }
  const valueEntry = spec.get('value')
  const value = valueEntry && readWei(r, valueEntry.node, valueEntry.path)
  const accountEntry = spec.get('account')
  const funded = names.topology.keys.fundedAccounts
  // The last funded account sends the load steps' transactions.
  const account = accountEntry ? int(0, funded - 2)(r, accountEntry.node, accountEntry.path) : stepDefaults.withdrawAccount
  if (!accountEntry && stepDefaults.withdrawAccount > funded - 2) {
    r.fail(own.path, own.line, `the default account ${stepDefaults.withdrawAccount} needs keys.fundedAccounts >= ${stepDefaults.withdrawAccount + 2}; give withdraw.account`)
  }
  const withinMs = option(r, within, stepDefaults.withdrawWithinMs)
  if (value === undefined || account === undefined || withinMs === undefined) return undefined
  const ether = Number(BigInt(value) / 10n ** 12n) / 1e6
  return { ...base, kind: 'withdraw', value, account, withinMs, label: label ?? `withdraw ${ether} ETH from account ${account} to L1 within ${formatDuration(withinMs)}` }
}

/** `deposit: { value: 1.5, to: 0x…, node: sequencer, mark: depositBlock }` (every key optional; `{}` deposits 1 ETH). */
function readDeposit(r: Reader, own: Entry, timeout: Entry | undefined, base: Base, names: Names, label: string | undefined): DepositStep | undefined {
  if (own.node !== null && !isMap(own.node)) return r.fail(own.path, own.line, `expected a mapping with value, to, node or mark (or {}), found ${describe(own.node)}`)
  const spec = r.entries(own.node, own.path, ['value', 'to', 'node', 'mark'])
  const get = <T>(key: string, check: (r: Reader, node: Entry['node'], path: string) => T | undefined) => {
    const entry = spec.get(key)
    return entry && check(r, entry.node, entry.path)
  }
  const value = spec.has('value') ? get('value', number(0)) : stepDefaults.depositValueEth
  const to = get('to', address)
  const node = get('node', member('node', names.nodes))
  const markEntry = spec.get('mark')
  let mark = get('mark', str)
  if (markEntry && mark !== undefined && !MARK_NAME.test(mark)) mark = r.fail(markEntry.path, markEntry.line, `expected a mark name (a letter or "_", then letters, digits or "_"), found ${JSON.stringify(mark)}`)
  const timeoutMs = option(r, timeout, stepDefaults.depositTimeoutMs)
  const invalid = (key: string, got: unknown) => spec.has(key) && got === undefined
  if (value === undefined || timeoutMs === undefined || invalid('to', to) || invalid('node', node) || invalid('mark', mark)) return undefined
  return {
    ...base,
    kind: 'deposit',
    mint: parseEther(String(value)),
    ...(to ? { to } : {}),
    ...(node ? { node } : {}),
    ...(mark ? { mark } : {}),
    timeoutMs,
    label: label ?? `deposit ${value} ETH${to ? ` to ${to}` : ''}${mark ? ` (L1 block as $${mark})` : ''}`,
  }
}

/** A 20-byte hex address. */
function address(r: Reader, node: Entry['node'], path: string): Address | undefined {
  const value = isScalar(node) ? node.value : undefined
  if (typeof value === 'string' && isAddress(value, { strict: false })) return getAddress(value)
  return r.fail(path, r.line(node), `expected an address (0x and 40 hex digits), found ${describe(node)}`)
}

/** `fault l1Reorg depth=2 reinclude=true`. */
function faultLabel(fault: FaultCall): string {
  const args = Object.entries(fault.args).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
  return [fault.name === 'heal' ? 'heal' : `fault ${fault.name}`, ...args].join(' ')
}

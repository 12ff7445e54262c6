import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { DevnetError, SpecError } from '../errors.js'
import { invariantIds } from '../invariants/index.js'
import { defaultTopology } from '../topology/defaults.js'
import { parseCondition, parseTerm } from './condition.js'
import { FAULT_NAMES } from '../faults/index.js'
import { loadScenario, parseScenario } from './load.js'

const FILE = 'scenarios/x.yaml'
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`

/** 1-based line of the only line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const lines = text.split('\n').flatMap((line, i) => (line.includes(needle) ? [i + 1] : []))
  if (lines.length !== 1) throw new Error(`${JSON.stringify(needle)} is on ${lines.length} lines`)
  return lines[0]
}

function specError(text: string, file = FILE): SpecError {
  try {
    parseScenario(text, file)
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError)
    expect((error as SpecError).code).toBe('DEVNET_SPEC_INVALID')
    return error as SpecError
  }
  throw new Error('expected a SpecError')
}

/** Expects exactly these problems, each `[needle on its line, "path: message"]`, in this order. */
function expectErrors(text: string, ...problems: [needle: string, pathAndMessage: string][]): void {
  const error = specError(text)
  expect(error.message).toBe(problems.map(([needle, rest]) => `${FILE}:${lineOf(text, needle)} ${rest}`).join('\n'))
  expect(error.line).toBe(lineOf(text, problems[0][0]))
}

const expectError = (text: string, needle: string, pathAndMessage: string) => expectErrors(text, [needle, pathAndMessage])

/** A scenario whose only step is `step` (lines given without the leading `  - `). */
const withStep = (...step: string[]) => yaml('steps:', ...step.map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`)))

const nodes = ['sequencer', 'replica-0']

describe('parseScenario', () => {
  test('default', () => {
    const scenario = parseScenario(withStep('wait: "replica-0.safe >= 3"'), 'scenarios/smoke.yaml')
    expect(scenario).toEqual({
      name: 'smoke',
      description: '',
      topology: defaultTopology(),
      sampleMs: 250,
      invariants: { except: [], options: { unsafeStallMs: 5000, safeStallMs: 15000 } },
      steps: [
        { index: 0, path: 'steps[0]', line: 2, kind: 'wait', condition: parseCondition('replica-0.safe >= 3'), timeoutMs: 60_000, label: 'wait replica-0.safe >= 3' },
      ],
      file: 'scenarios/smoke.yaml',
    })
  })

  test('args: every key and step kind', () => {
    const text = yaml(
      'name: full-run',
      'description: every key',
      'seed: 7',
      'topology:',
      '  l2:',
      '    sequencingWindow: 6',
      '    replicas: 2',
      'sample: 100',
      'invariants:',
      '  except: [unsafeLiveness, nodesAgree]',
      '  liveness: { unsafeStallMs: 8s, safeStallMs: 20000 }',
      'steps:',
      '  - wait: "replica-1.safe >= 10 and l1.finalized > 2"',
      '    timeout: 90s',
      '  - mark: { name: before, value: replica-0.safe }',
      '  - fault: l1Reorg',
      '    args: { depth: 3 }',
      '  - expect: "replica-0.safe < $before"',
      '    within: 1.5s',
      '    label: safe moves back',
      '  - expect: { always: "replica-0.unsafe >= sequencer.unsafe - 2", for: 2m }',
      '  - fault: partition',
      '    args: { groups: [[replica-0], [sequencer, replica-1]], links: p2p }',
      '  - heal: {}',
      '  - fault: failover',
      '    args: { from: sequencer, to: replica-0, mode: crash }',
      '  - fault: latency',
      '    args: { service: l1, ms: 500 }',
      '  - sleep: 500ms',
      '  - load: { rate: 2.5, duration: 30s, node: replica-1 }',
      '  - fault: batcherOutage',
    )
    const topology = defaultTopology()
    topology.l2.sequencingWindow = 6
    topology.l2.nodes = [
      { name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 0, standby: true },
      { name: 'replica-0', role: 'replica', peers: ['sequencer'], l1Confs: 0, standby: false },
      { name: 'replica-1', role: 'replica', peers: ['sequencer'], l1Confs: 0, standby: false },
    ]
    const at = (needle: string) => lineOf(text, needle)
    const base = (index: number, needle: string) => ({ index, path: `steps[${index}]`, line: at(needle) })
    const condition = (s: string) => parseCondition(s)
    expect(parseScenario(text, FILE)).toEqual({
      name: 'full-run',
      description: 'every key',
      seed: 7,
      topology,
      sampleMs: 100,
      invariants: { except: ['unsafeLiveness', 'nodesAgree'], options: { unsafeStallMs: 8000, safeStallMs: 20000 } },
      steps: [
        { ...base(0, 'wait:'), kind: 'wait', condition: condition('replica-1.safe >= 10 and l1.finalized > 2'), timeoutMs: 90_000, label: 'wait replica-1.safe >= 10 and l1.finalized > 2' },
        { ...base(1, 'mark:'), kind: 'mark', name: 'before', value: parseTerm('replica-0.safe'), label: 'mark $before = replica-0.safe' },
        { ...base(2, 'l1Reorg'), kind: 'fault', fault: { name: 'l1Reorg', args: { depth: 3, reinclude: false, allowFinalized: false } }, label: 'fault l1Reorg depth=3 reinclude=false allowFinalized=false' },
        { ...base(3, '$before"'), kind: 'expect', mode: 'eventually', condition: condition('replica-0.safe < $before'), withinMs: 1500, label: 'safe moves back' },
        { ...base(4, 'always:'), kind: 'expect', mode: 'always', condition: condition('replica-0.unsafe >= sequencer.unsafe - 2'), forMs: 120_000, label: 'expect always replica-0.unsafe >= sequencer.unsafe - 2 for 2m' },
        { ...base(5, 'partition'), kind: 'fault', fault: { name: 'partition', args: { groups: [['replica-0'], ['sequencer', 'replica-1']], links: 'p2p' } }, label: 'fault partition groups=[["replica-0"],["sequencer","replica-1"]] links=p2p' },
        { ...base(6, 'heal:'), kind: 'fault', fault: { name: 'heal', args: {} }, label: 'heal' },
        { ...base(7, 'failover'), kind: 'fault', fault: { name: 'failover', args: { from: 'sequencer', to: 'replica-0', mode: 'crash' } }, label: 'fault failover from=sequencer to=replica-0 mode=crash' },
        { ...base(8, 'latency'), kind: 'fault', fault: { name: 'latency', args: { service: 'l1', ms: 500, jitter: 0 } }, label: 'fault latency service=l1 ms=500 jitter=0' },
        { ...base(9, 'sleep:'), kind: 'sleep', ms: 500, label: 'sleep 500ms' },
        { ...base(10, 'load:'), kind: 'load', rate: 2.5, durationMs: 30_000, node: 'replica-1', label: 'load 2.5 tx/s for 30s on replica-1' },
        { ...base(11, 'batcherOutage'), kind: 'fault', fault: { name: 'batcherOutage', args: {} }, label: 'fault batcherOutage' },
      ],
      file: FILE,
    })
  })

  test('args: invariants "all" and a topology file relative to the scenario', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-'))
    try {
      await writeFile(join(dir, 'net.yaml'), yaml('l2:', '  replicas: 1', '  sequencingWindow: 4'))
      await writeFile(join(dir, 'bad.yaml'), yaml('l2:', '  blockTime: 0'))
      const file = join(dir, 's.yaml')
      await writeFile(file, yaml('topology: net.yaml', 'invariants: all', 'steps:', '  - sleep: 1s'))
      const scenario = await loadScenario(file)
      expect(scenario.topology.l2.sequencingWindow).toBe(4)
      expect(scenario.topologyFile).toBe(join(dir, 'net.yaml'))
      expect(scenario.invariants.except).toEqual([])

      const text = yaml('topology: bad.yaml', 'steps:', '  - sleep: 1s')
      expect(() => parseScenario(text, file)).toThrow(
        `${file}:1 topology: invalid topology file ${join(dir, 'bad.yaml')}:\n  ${join(dir, 'bad.yaml')}:2 l2.blockTime: expected an integer >= 1, found 0`,
      )
      expect(() => parseScenario(yaml('topology: nope.yaml', 'steps:', '  - sleep: 1s'), file)).toThrow(
        `${file}:1 topology: topology file not found: ${join(dir, 'nope.yaml')}`,
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('behavior: the shipped scenarios and fixtures are valid', async () => {
    const dirs = [new URL('../../scenarios/', import.meta.url), new URL('./fixtures/', import.meta.url)]
    const files = (await Promise.all(dirs.map(async (dir) => (await readdir(dir)).filter((f) => f.endsWith('.yaml')).map((f) => new URL(f, dir).pathname)))).flat()
    // Each parses, and is named after its file (reports and test titles use the name).
    const names = (await Promise.all(files.map(loadScenario))).map((s) => s.name)
    expect(names).toEqual(files.map((f) => basename(f, '.yaml')))
    expect(names.length).toBeGreaterThan(15)
  })

  test('error: file not found', async () => {
    const error = await loadScenario('/nonexistent/x.yaml').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetError)
    expect(error).toMatchObject({ code: 'DEVNET_SPEC_NOT_FOUND', message: 'scenario file not found: /nonexistent/x.yaml' })
  })

  test('error: malformed YAML', () => {
    const text = yaml('steps:', '  - wait: "a', 'x: [')
    expect(specError(text).message).toMatch(/^scenarios\/x\.yaml:\d+ \(root\): invalid YAML: /)
  })

  test('error: top level is not a mapping, unknown and missing keys', () => {
    expectError('- wait: x\n', 'wait', '(root): expected a mapping, found a list')
    expectErrors(
      yaml('name: x', 'stpes: []'),
      ['name', '(root): missing required key "steps"'],
      ['stpes', 'stpes: unknown key "stpes"; expected one of: name, description, seed, topology, sample, invariants, steps'],
    )
    expectError(yaml('name: x'), 'name', '(root): missing required key "steps"')
    expect(specError('').message).toBe(`${FILE} (root): missing required key "steps"`)
  })

  test('error: wrong types of top-level keys', () => {
    expectError(yaml('seed: -1', 'steps: [{ sleep: 1s }]'), 'seed', 'seed: expected an integer between 0 and 4294967295, found -1')
    expectError(yaml('sample: fast', 'steps: [{ sleep: 1s }]'), 'sample', 'sample: expected milliseconds (an integer >= 1) or a duration like 5s, found "fast"')
    expectError(
      yaml('name: Big Name', 'steps: [{ sleep: 1s }]'),
      'name',
      'name: expected a name matching /^[a-z][a-z0-9-]{0,30}$/ (a lowercase letter, then up to 30 lowercase letters, digits or "-"), found "Big Name"',
    )
  })

  test('error: inline topology errors point into the scenario file under topology.', () => {
    expectError(yaml('topology:', '  l2:', '    blockTime: 0', 'steps: [{ sleep: 1s }]'), 'blockTime', 'topology.l2.blockTime: expected an integer >= 1, found 0')
    expectError(
      yaml('topology:', '  l2:', '    nodes:', '      - { name: a, role: sequencer }', '      - { name: a, role: replica }', 'steps: [{ sleep: 1s }]'),
      'name: a, role: replica',
      'topology.l2.nodes[1].name: duplicate node name "a"; l2.nodes[0] has it already',
    )
    expectError(yaml('topology: 5', 'steps: [{ sleep: 1s }]'), 'topology', 'topology: expected a mapping (an inline topology) or the path of a devnet.yaml, found 5')
  })

  test('error: invariants', () => {
    expectError(yaml('invariants: none', 'steps: [{ sleep: 1s }]'), 'invariants', 'invariants: expected "all" or a mapping with except and liveness, found "none"')
    expectError(
      yaml('invariants:', '  except: [headOrdering, headOrder]', 'steps: [{ sleep: 1s }]'),
      'except',
      `invariants.except[1]: unknown invariant "headOrder"; expected one of: ${invariantIds.join(', ')}`,
    )
    expectError(
      yaml('invariants:', '  liveness: { unsafeStall: 5 }', 'steps: [{ sleep: 1s }]'),
      'liveness',
      'invariants.liveness.unsafeStall: unknown key "unsafeStall"; expected one of: unsafeStallMs, safeStallMs',
    )
  })

  test('error: steps that are not a list, empty, or have no or two kinds', () => {
    const kinds = 'wait, expect, fault, heal, sleep, load, deposit, mark, withdraw'
    expectError(yaml('steps: 3'), 'steps', 'steps: expected a list, found 3')
    expectError(yaml('steps: []'), 'steps', 'steps: expected at least one step')
    expectError(withStep('5'), '- 5', `steps[0]: expected a mapping with one of: ${kinds}; found 5`)
    expectError(withStep('timeout: 5s'), 'timeout', `steps[0]: expected exactly one of: ${kinds}; found none`)
    expectError(withStep('wait: "sequencer.safe > 1"', 'sleep: 1s'), 'wait', `steps[0]: expected exactly one of: ${kinds}; found wait and sleep`)
    expectError(withStep('wait: "sequencer.safe > 1"', 'within: 5s'), 'within', 'steps[0].within: unknown key "within"; expected one of: wait, timeout, label, at')
  })

  test('error: conditions', () => {
    const cannot = (cond: string, reason: string) => `steps[0].wait: cannot parse condition ${JSON.stringify(cond)}: ${reason}`
    expectError(withStep('wait: "replica-0.sfe >= 3"'), 'wait', cannot('replica-0.sfe >= 3', 'unknown head "sfe"'))
    expectError(withStep('wait: "replica-9.safe >= 3"'), 'wait', cannot('replica-9.safe >= 3', 'unknown node "replica-9"; expected one of: sequencer, replica-0, l1, proxyd'))
    expectError(withStep('wait: "l1.unsafe >= 3"'), 'wait', cannot('l1.unsafe >= 3', 'unknown head "unsafe" of l1; expected one of: head, safe, finalized'))
    expectError(withStep('wait: "replica-0.safe = 3"'), 'wait', cannot('replica-0.safe = 3', 'expected an operator (>=, <=, ==, !=, >, <), found "="'))
    expectError(withStep('wait: "replica-0.safe < $before"'), 'wait', cannot('replica-0.safe < $before', 'unknown mark "$before"; set it with a "mark" step before this one'))
    expectError(withStep('wait: "replica-0.safe > 1 or sequencer.safe > 1"'), 'wait', cannot('replica-0.safe > 1 or sequencer.safe > 1', 'expected "and" or the end, found "or"'))
    expectError(withStep('wait: 5'), 'wait', 'steps[0].wait: expected a string, found 5')
  })

  test('error: durations', () => {
    expectError(withStep('sleep: 10'), 'sleep', 'steps[0].sleep: expected a duration like 30s or 500ms, found 10')
    expectError(withStep('wait: "sequencer.safe > 1"', 'timeout: 3 seconds'), 'timeout', 'steps[0].timeout: expected a duration like 30s or 500ms, found "3 seconds"')
    expectError(withStep('expect: "sequencer.safe > 1"', 'within: 0s'), 'within', 'steps[0].within: expected a duration like 30s or 500ms, found "0s"')
  })

  test('args: at, the time a step starts after the run started', () => {
    const scenario = parseScenario(yaml('steps:', '  - fault: l1Halt', '    at: 90s', '  - heal: {}', '    at: 0s', '  - sleep: 1s'), FILE)
    expect(scenario.steps.map((s) => s.atMs)).toEqual([90_000, 0, undefined])
  })

  test('error: at', () => {
    expectError(withStep('sleep: 1s', 'at: soon'), 'at:', 'steps[0].at: expected a duration like 30s or 500ms, found "soon"')
    expectError(withStep('sleep: 1s', 'at: 5'), 'at:', 'steps[0].at: expected a duration like 30s or 500ms, found 5')
  })

  test('error: expect always', () => {
    expectError(withStep('expect: { always: "sequencer.safe > 1" }'), 'expect', 'steps[0].expect: missing required key "for"')
    expectError(withStep('expect: { always: "sequencer.safe > 1", for: 5s, within: 5s }'), 'expect', 'steps[0].expect.within: unknown key "within"; expected one of: always, for')
    expectError(
      withStep('expect: { always: "sequencer.safe > 1", for: 5s }', 'within: 5s'),
      'within',
      'steps[0].within: not allowed with expect.always; the condition must hold for expect.for',
    )
  })

  test('error: faults and their arguments', () => {
    expectError(withStep('fault: l1reorg'), 'fault', `steps[0].fault: unknown fault "l1reorg"; expected one of: ${FAULT_NAMES.join(', ')}`)
    expectError(withStep('fault: l1Reorg'), 'fault', 'steps[0].args: missing required argument "depth" for l1Reorg')
    expectError(withStep('fault: l1Reorg', 'args:', '  depth: two'), 'two', 'steps[0].args.depth: expected an integer >= 1, found "two"')
    expectError(withStep('fault: l1Reorg', 'args: { depth: 1, reinclude: yes }'), 'args', 'steps[0].args.reinclude: expected true or false, found "yes"')
    expectError(withStep('fault: l1Reorg', 'args: { depth: 1, deep: true }'), 'args', 'steps[0].args.deep: unknown argument "deep" for l1Reorg; expected one of: depth, reinclude, allowFinalized')
    expectError(withStep('fault: l1Halt', 'args: { now: true }'), 'args', 'steps[0].args.now: unknown argument "now"; l1Halt takes no arguments')
    expectError(withStep('heal: { all: true }'), 'heal', 'steps[0].heal.all: unknown argument "all"; heal takes no arguments')
    expectError(withStep('fault: crash', 'args: 5'), 'args', 'steps[0].args: expected a mapping, found 5')
    expectError(
      withStep('fault: l1Reorg', 'args: { depth: 5 }'),
      'args',
      "steps[0].args.depth: a reorg of depth 5 replaces L1's finalized block (finalized = head - 4); use a depth of at most 4 or set allowFinalized: true",
    )
  })

  test('error: services and nodes named in fault arguments', () => {
    const services = 'sequencer, replica-0, l1, batcher, proposer, challenger, proxyd, bootnode'
    expectError(withStep('fault: crash', 'args: { service: replica-7 }'), 'args', `steps[0].args.service: unknown service "replica-7"; expected one of: ${services}`)
    expectError(withStep('fault: failover', 'args: { from: sequencer, to: batcher }'), 'args', `steps[0].args.to: unknown node "batcher"; expected one of: ${nodes.join(', ')}`)
    expectError(withStep('fault: failover', 'args: { from: sequencer, to: sequencer }'), 'args', 'steps[0].args.to: expected a node other than from ("sequencer")')
    expectError(withStep('fault: partition', 'args: { groups: [[sequencer, replica-0]] }'), 'args', 'steps[0].args.groups: expected at least 2 groups, found 1')
    expectError(withStep('fault: partition', 'args: { groups: [[sequencer], []] }'), 'args', 'steps[0].args.groups[1]: expected a non-empty list of services, found a list')
    expectError(
      withStep('fault: partition', 'args:', '  groups:', '    - [sequencer]', '    - [replica-0, sequencer]'),
      'replica-0, sequencer',
      'steps[0].args.groups[1][1]: "sequencer" is in steps[0].args.groups[0] already; a service can be in one group only',
    )
    expectError(
      withStep('fault: partition', 'args:', '  groups: [[sequencer], [replica-0, l1]]', '  links: p2p'),
      'groups',
      'steps[0].args.groups[1][1]: "l1" has no p2p links; partition it with links: all',
    )
    expectError(withStep('fault: loss', 'args: { service: l1, percent: 150 }'), 'args', 'steps[0].args.percent: expected a number > 0 and <= 100, found 150')
  })

  test('error: load and mark steps', () => {
    expectError(withStep('load: { rate: 5 }'), 'load', 'steps[0].load: missing required key "duration"')
    expectError(withStep('load: { rate: 5, duration: 1s, node: l1 }'), 'load', `steps[0].load.node: unknown node "l1"; expected one of: ${nodes.join(', ')}, proxyd`)
    expect(parseScenario(withStep('load: { rate: 5, duration: 1s, node: proxyd }'), FILE).steps[0]).toMatchObject({ kind: 'load', node: 'proxyd', label: 'load 5 tx/s for 1s on proxyd' })
    expectError(yaml('topology: { proxyd: { enabled: false } }', 'steps:', '  - load: { rate: 5, duration: 1s, node: proxyd }'), 'load', `steps[0].load.node: unknown node "proxyd"; expected one of: ${nodes.join(', ')}`)
    expectError(withStep('mark: { name: x }'), 'mark', 'steps[0].mark: missing required key "value"')
    expectError(withStep('mark: { name: 2x, value: sequencer.safe }'), 'mark', 'steps[0].mark.name: expected a mark name (a letter or "_", then letters, digits or "_"), found "2x"')
    expectError(withStep('mark: { name: x, value: sequencer.safe >= 1 }'), 'mark', 'steps[0].mark.value: cannot parse value "sequencer.safe >= 1": expected the end, found ">="')
  })

  test('args: withdraw steps (value in ether, gwei or wei; account; within)', () => {
    const steps = parseScenario(yaml('steps:', '  - withdraw: { value: 0.1 ether }', '  - withdraw: { value: 5 gwei, account: 6 }', '    within: 20s'), FILE).steps
    expect(steps).toMatchObject([
      { kind: 'withdraw', value: '100000000000000000', account: 5, withinMs: 60_000, label: 'withdraw 0.1 ETH from account 5 to L1 within 1m' },
      { kind: 'withdraw', value: '5000000000', account: 6, withinMs: 20_000 },
    ])
  })

  test('error: withdraw steps', () => {
    expectError(withStep('withdraw: { account: 6 }'), 'withdraw', 'steps[0].withdraw: missing required key "value"')
    expectError(withStep('withdraw: { value: lots }'), 'withdraw', 'steps[0].withdraw.value: expected an amount such as 0.08 ether, 80 gwei or an integer of wei; found "lots"')
    expectError(withStep('withdraw: { value: 1 ether, account: 9 }'), 'withdraw', 'steps[0].withdraw.account: expected an integer between 0 and 8, found 9')
    expectError(withStep('withdraw: { value: 1 ether, to: x }'), 'withdraw', 'steps[0].withdraw.to: unknown key "to"; expected one of: value, account')
  })

  test('args: deposit steps, with defaults and with every key; its mark is known to later steps', () => {
    const [plain] = parseScenario(withStep('deposit: {}'), FILE).steps
    expect(plain).toEqual({ index: 0, path: 'steps[0]', line: 2, kind: 'deposit', mint: 10n ** 18n, timeoutMs: 30_000, label: 'deposit 1 ETH' })
    const text = yaml(
      'steps:',
      '  - deposit: { value: 0.5, to: "0x000000000000000000000000000000000000beef", node: replica-0, mark: at }',
      '    timeout: 10s',
      '  - expect: "l1.head <= $at + 3"',
    )
    const [full, after] = parseScenario(text, FILE).steps
    expect(full).toMatchObject({ kind: 'deposit', mint: 5n * 10n ** 17n, to: '0x000000000000000000000000000000000000bEEF', node: 'replica-0', mark: 'at', timeoutMs: 10_000 })
    expect(after.kind).toBe('expect')
  })

  test('args: load with tx: deposits', () => {
    const [step] = parseScenario(withStep('load: { rate: 2, duration: 5s, tx: deposits }'), FILE).steps
    expect(step).toEqual({ index: 0, path: 'steps[0]', line: 2, kind: 'load', rate: 2, durationMs: 5000, tx: 'deposits', label: 'load 2 deposits/s for 5s' })
    const [transfers] = parseScenario(withStep('load: { rate: 2, duration: 5s, tx: transfers }'), FILE).steps
    expect(transfers).toMatchObject({ kind: 'load', label: 'load 2 tx/s for 5s' })
    expect(transfers).not.toHaveProperty('tx')
    const [withdrawals] = parseScenario(withStep('load: { rate: 0.5, duration: 5s, tx: withdrawals, node: replica-0 }'), FILE).steps
    expect(withdrawals).toMatchObject({ kind: 'load', tx: 'withdrawals', node: 'replica-0', label: 'load 0.5 withdrawals/s for 5s on replica-0' })
  })

  test('error: load tx', () => {
    expectError(withStep('load: { rate: 2, duration: 5s, tx: blobs }'), 'load', 'steps[0].load.tx: expected one of: transfers, deposits, withdrawals; found "blobs"')
    expectError(withStep('load: { rate: 2, duration: 5s, tx: deposits, node: sequencer }'), 'load', 'steps[0].load.node: not allowed with tx: deposits (deposits go to L1)')
  })

  test('error: deposit steps', () => {
    expectError(withStep('deposit: 1'), 'deposit', 'steps[0].deposit: expected a mapping with value, to, node or mark (or {}), found 1')
    expectError(withStep('deposit: { value: 0 }'), 'deposit', 'steps[0].deposit.value: expected a number > 0, found 0')
    expectError(withStep('deposit: { to: 0x12 }'), 'deposit', 'steps[0].deposit.to: expected an address (0x and 40 hex digits), found 18')
    expectError(withStep('deposit: { node: l1 }'), 'deposit', `steps[0].deposit.node: unknown node "l1"; expected one of: ${nodes.join(', ')}`)
    expectError(withStep('deposit: { mark: 2x }'), 'deposit', 'steps[0].deposit.mark: expected a mark name (a letter or "_", then letters, digits or "_"), found "2x"')
    expectError(withStep('deposit: { amount: 1 }'), 'deposit', 'steps[0].deposit.amount: unknown key "amount"; expected one of: value, to, node, mark')
  })

  test('behavior: every problem is reported, sorted by line; a mark is known only after its step', () => {
    const text = yaml(
      'seed: x',
      'steps:',
      '  - wait: "replica-0.safe > $later" # too early',
      '  - mark: { name: later, value: replica-0.safe }',
      '  - fault: crash',
      '    args: { service: nobody }',
      '  - expect: "replica-0.safe > $later"',
    )
    expectErrors(
      text,
      ['seed', 'seed: expected an integer between 0 and 4294967295, found "x"'],
      ['too early', 'steps[0].wait: cannot parse condition "replica-0.safe > $later": unknown mark "$later"; set it with a "mark" step before this one'],
      ['nobody', 'steps[2].args.service: unknown service "nobody"; expected one of: sequencer, replica-0, l1, batcher, proposer, challenger, proxyd, bootnode'],
    )
  })
})

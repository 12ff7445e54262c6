import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { DevnetError, SpecError } from '../errors.js'
import { defaults, defaultTopology, loadTopology, parseTopology, type Topology } from './index.js'

const FILE = 'devnet.yaml'
const FIXTURE = new URL('../../fixtures/devnet.yaml', import.meta.url)

/** EIP-778's example record. */
const EIP778_ENR = 'enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8'

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`

/** 1-based line of the only line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const lines = text.split('\n').flatMap((line, i) => (line.includes(needle) ? [i + 1] : []))
  if (lines.length !== 1) throw new Error(`${JSON.stringify(needle)} is on ${lines.length} lines`)
  return lines[0]
}

function specError(text: string): SpecError {
  try {
    parseTopology(text, FILE)
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError)
    expect((error as SpecError).code).toBe('DEVNET_SPEC_INVALID')
    return error as SpecError
  }
  throw new Error('expected a SpecError')
}

/** Expects exactly one problem, at the line of `needle`. */
function expectError(text: string, needle: string, pathAndMessage: string): void {
  const error = specError(text)
  expect(error.message).toBe(`${FILE}:${lineOf(text, needle)} ${pathAndMessage}`)
  expect(error.line).toBe(lineOf(text, needle))
}

const withDefaults = (patch: (t: Topology) => void): Topology => {
  const t = defaultTopology()
  patch(t)
  return t
}

describe('parseTopology', () => {
  test('default', async () => {
    expect(parseTopology('', FILE)).toStrictEqual(defaultTopology())
    expect(parseTopology('# nothing but a comment\n', FILE)).toStrictEqual(defaultTopology())
    expect(await loadTopology()).toEqual(defaults)
    expect(parseTopology(await readFile(FIXTURE, 'utf8'), 'fixtures/devnet.yaml')).toStrictEqual(defaultTopology())
  })

  test('behavior: defaultTopology returns a copy', () => {
    defaultTopology().l2.nodes.push({ name: 'x', role: 'replica', peers: [], l1Confs: 0, standby: false })
    defaultTopology().keys.roles.admin = 7
    expect(defaultTopology().l2.nodes).toHaveLength(2)
    expect(defaults.keys.roles.admin).toBe(0)
  })

  test('args: partial overrides merge', () => {
    const text = yaml(
      'name: my-net',
      'l1: { blockTime: 12 }',
      'l2:',
      '  forks: { regolith: 0, canyon: 10 }',
      '  nodes:',
      '    - { name: seq, role: sequencer }',
      '    - { name: r1, role: replica, l1Confs: 3 }',
      '    - { name: r2, role: replica, peers: [r1] }',
      'keys:',
      '  roles: { admin: 7 }',
    )
    expect(parseTopology(text, FILE)).toEqual(
      withDefaults((t) => {
        t.name = 'my-net'
        t.l1.blockTime = 12
        t.l2.forks = { regolith: 0, canyon: 10 }
        t.l2.nodes = [
          { name: 'seq', role: 'sequencer', peers: [], l1Confs: 0, standby: true },
          { name: 'r1', role: 'replica', peers: ['seq'], l1Confs: 3, standby: false },
          { name: 'r2', role: 'replica', peers: ['r1'], l1Confs: 0, standby: false },
        ]
        t.keys.roles.admin = 7
      }),
    )
  })

  test('args: replicas shorthand', () => {
    const replica = (i: number) => ({ name: `replica-${i}`, role: 'replica', peers: ['sequencer'], l1Confs: 0, standby: false })
    expect(parseTopology('l2: { replicas: 3 }', FILE).l2.nodes).toEqual([
      { name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 0, standby: true },
      replica(0),
      replica(1),
      replica(2),
    ])
    expect(parseTopology('l2: { replicas: 0 }', FILE).l2.nodes).toEqual([defaults.l2.nodes[0]])
  })

  test('args: empty sections and forks', () => {
    expect(parseTopology(yaml('l1:', 'keys:', '  roles:'), FILE)).toStrictEqual(defaultTopology())
    expect(parseTopology('l2: { forks: {} }', FILE).l2.forks).toEqual({})
  })

  test('behavior: mnemonic whitespace is normalized', () => {
    const mnemonic = '  abandon abandon abandon abandon abandon abandon   abandon abandon abandon abandon abandon about '
    expect(parseTopology(`keys: { mnemonic: "${mnemonic}" }`, FILE).keys.mnemonic).toBe(
      'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
    )
  })

  test('error: malformed YAML', () => {
    expectError(
      yaml('l1:', '  chainId: 900', '  blockTime: 2', ' slotsPerEpoch: 2', 'l2: {}'),
      'slotsPerEpoch',
      '(root): invalid YAML: All mapping items must start at the same column',
    )
    const text = yaml('l1:', '  chainId: 900', 'l2: [1,', ' blockTime: 1')
    expectError(
      text,
      ' blockTime',
      '(root): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    )
  })

  test('error: top level is not a mapping', () => {
    expectError('- name: devnet\n', 'name', '(root): expected a mapping, found a list')
  })

  test('error: unknown key at top level', () => {
    const text = yaml('name: devnet', 'l1:', '  chainId: 900', 'foo: 1')
    expectError(text, 'foo', 'foo: unknown key "foo"; expected one of: name, profile, l1, l2, batcher, proxyd, settlement, ports, keys')
  })

  test('error: unknown key in a node', () => {
    const text = yaml(
      'l2:',
      '  nodes:',
      '    - name: sequencer',
      '      role: sequencer',
      '    - name: replica-0',
      '      role: replica',
      '      foo: bar',
    )
    expectError(text, 'foo', 'l2.nodes[1].foo: unknown key "foo"; expected one of: name, role, peers, l1Confs, standby')
  })

  test('error: missing required key points at the node', () => {
    const text = yaml('l2:', '  nodes:', '    - name: sequencer', '      role: sequencer', '    - name: replica-0', '      l1Confs: 1')
    expectError(text, 'replica-0', 'l2.nodes[1]: missing required key "role"')
  })

  test('error: wrong types and ranges', () => {
    expectError(yaml('l1:', '  blockTime: 0'), 'blockTime', 'l1.blockTime: expected an integer >= 1, found 0')
    expectError(yaml('l2:', '  sequencingWindow: "20"'), 'sequencingWindow', 'l2.sequencingWindow: expected an integer >= 2, found "20"')
    expectError('batcher: { maxFrameSize: 999 }', 'maxFrameSize', 'batcher.maxFrameSize: expected an integer between 1000 and 1000000, found 999')
    expectError('ports: fixed', 'ports', 'ports: expected one of: stable, auto; found "fixed"')
    expectError('l1: 5', 'l1', 'l1: expected a mapping, found 5')
    expectError(
      'name: My_Net',
      'name',
      'name: expected a name matching /^[a-z][a-z0-9-]{0,30}$/ (a lowercase letter, then up to 30 lowercase letters, digits or "-"), found "My_Net"',
    )
  })

  test('error: peer names no node', () => {
    const text = yaml(
      'name: devnet',
      'l2:',
      '  nodes:',
      '    - name: sequencer',
      '      role: sequencer',
      '    - name: replica-0',
      '      role: replica',
      '      peers: [replica-9]',
    )
    expectError(text, 'peers', 'l2.nodes[1].peers[0]: no node named "replica-9"')
    expectError(
      yaml('l2:', '  nodes:', '    - { name: sequencer, role: sequencer, peers: [sequencer] }'),
      'peers',
      'l2.nodes[0].peers[0]: a node cannot peer with itself ("sequencer")',
    )
  })

  test('error: duplicate node names', () => {
    const text = yaml('l2:', '  nodes:', '    - { name: a, role: sequencer }', '    - { name: b, role: replica }', '    - { name: a, role: replica }')
    expectError(text, 'name: a, role: replica', 'l2.nodes[2].name: duplicate node name "a"; l2.nodes[0] has it already')
  })

  test('error: no sequencer', () => {
    const text = yaml('l2:', '  nodes:', '    - { name: a, role: replica }')
    expectError(text, '- { name: a', 'l2.nodes: expected exactly one node with role "sequencer", found none')
  })

  test('error: two sequencers', () => {
    const text = yaml('l2:', '  nodes:', '    - name: a', '      role: sequencer', '    - name: b', '      role: sequencer # again')
    expectError(text, '# again', 'l2.nodes[1].role: expected exactly one node with role "sequencer"; node "a" is the sequencer already')
  })

  test('error: replicas and nodes together', () => {
    const text = yaml('l2:', '  nodes: [{ name: a, role: sequencer }]', '  replicas: 2')
    expectError(text, 'replicas', 'l2.replicas: cannot be combined with l2.nodes; give one or the other')
  })

  test('error: unsupported and unknown forks', () => {
    const list = 'regolith, canyon, delta, ecotone, fjord, granite'
    expectError(
      yaml('l2:', '  forks:', '    regolith: 0', '    holocene: 0'),
      'holocene',
      `l2.forks.holocene: fork "holocene" is not supported yet by the lite profile; it follows: ${list}`,
    )
    expectError(yaml('l2:', '  forks:', '    bedrock: 0'), 'bedrock', `l2.forks.bedrock: unknown fork "bedrock"; the lite profile follows: ${list}`)
  })

  test('error: forks out of order or with gaps', () => {
    expectError(
      yaml('l2:', '  forks:', '    regolith: 0', '    canyon: 10', '    delta: 5'),
      'delta',
      'l2.forks.delta: expected an offset >= 10 (canyon activates then; forks activate in order), found 5',
    )
    expectError(
      yaml('l2:', '  forks:', '    regolith: 0', '    ecotone: 0'),
      'ecotone',
      'l2.forks.ecotone: fork "ecotone" needs every earlier fork scheduled too; missing: canyon, delta',
    )
    expectError(yaml('l2:', '  forks:', '    regolith: -1'), 'regolith', 'l2.forks.regolith: expected an integer >= 0, found -1')
  })

  test('args: l2.discovery and l2.bootnodes', () => {
    expect(defaultTopology().l2).toMatchObject({ discovery: 'bootnodes', bootnodes: [] })
    expect(parseTopology('l2: { discovery: static }', FILE).l2.discovery).toBe('static')
    expect(parseTopology(`l2: { bootnodes: ["${EIP778_ENR}"] }`, FILE).l2.bootnodes).toEqual([EIP778_ENR])
  })

  test('error: a bootnode ENR that does not decode; bootnodes without discovery', () => {
    const text = yaml('l2:', '  bootnodes:', `    - ${EIP778_ENR}`, '    - enr:-notbase64=')
    expectError(text, 'notbase64', 'l2.bootnodes[1]: invalid ENR: expected base64url (A-Z a-z 0-9 - _, no padding) after "enr:"')
    const stat = yaml('l2:', '  discovery: static', '  bootnodes:', `    - ${EIP778_ENR}`)
    expectError(stat, 'enr:-IS4', 'l2.bootnodes: bootnodes need l2.discovery: bootnodes (static means no discovery)')
    expectError(yaml('l2:', '  discovery: dns'), 'discovery', 'l2.discovery: expected one of: bootnodes, static; found "dns"')
  })

  test('args: batcher.batchType span', () => {
    expect(parseTopology('batcher: { batchType: span }\n', FILE).batcher.batchType).toBe('span')
  })

  test('error: batcher.batchType unknown, or span without Delta at genesis', () => {
    expectError('batcher: { batchType: spans }', 'batchType', 'batcher.batchType: expected one of: singular, span; found "spans"')
    const late = yaml('l2:', '  forks: { regolith: 0, canyon: 0, delta: 4 }', 'batcher:', '  batchType: span')
    expectError(late, 'batchType', 'batcher.batchType: span batches need l2.forks.delta: 0 (Delta at genesis); delta is at 4')
    const none = yaml('l2:', '  forks: { regolith: 0, canyon: 0 }', 'batcher:', '  batchType: span')
    expectError(none, 'batchType', 'batcher.batchType: span batches need l2.forks.delta: 0 (Delta at genesis); delta is not scheduled')
  })

  test('error: bad mnemonic', () => {
    const words = (last: string) => `${'abandon '.repeat(11)}${last}`
    expectError(
      yaml('keys:', `  mnemonic: ${words('abandon')}`),
      'mnemonic',
      'keys.mnemonic: expected a BIP-39 mnemonic: bad checksum (the last word does not match the others)',
    )
    expectError(
      yaml('keys:', `  mnemonic: ${words('zzz')}`),
      'mnemonic',
      'keys.mnemonic: expected a BIP-39 mnemonic: word 12 ("zzz") is not in the BIP-39 English word list',
    )
    expectError('keys: { mnemonic: test test }', 'mnemonic', 'keys.mnemonic: expected a BIP-39 mnemonic: expected 12, 15, 18, 21 or 24 words, found 2')
  })

  test('error: chain ids, role indices and funded accounts', () => {
    expectError('l2: { chainId: 900 }', 'chainId', 'l2.chainId: expected a chain id other than l1.chainId (900), found 900')
    expectError(
      yaml('keys:', '  roles:', '    admin: 1'),
      'admin',
      'keys.roles.admin: index 1 is also used by keys.roles.batcher; role indices must be distinct',
    )
    expectError(
      yaml('keys:', '  fundedAccounts: 4'),
      'fundedAccounts',
      'keys.fundedAccounts: expected more than every role index (keys.roles.sequencer is 4), found 4',
    )
    expectError(
      yaml('keys:', '  roles: { proposer: 10 }'),
      'proposer',
      'keys.roles.proposer: index 10 is not funded: keys.fundedAccounts is 10; lower it or raise fundedAccounts',
    )
  })

  test('error: every problem is listed in document order', () => {
    const text = yaml('ports: fixed', 'l1:', '  chainId: 0', 'bogus: 1')
    const error = specError(text)
    expect(error.message).toBe(
      [
        `${FILE}:${lineOf(text, 'ports')} ports: expected one of: stable, auto; found "fixed"`,
        `${FILE}:${lineOf(text, 'chainId')} l1.chainId: expected an integer >= 1, found 0`,
        `${FILE}:${lineOf(text, 'bogus')} bogus: unknown key "bogus"; expected one of: name, profile, l1, l2, batcher, proxyd, settlement, ports, keys`,
      ].join('\n'),
    )
    expect(error.path).toBe('ports')
    expect(error.line).toBe(lineOf(text, 'ports'))
  })
})

describe('loadTopology', () => {
  test('args: file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-devnet-spec-'))
    try {
      const file = join(dir, 'devnet.yaml')
      await writeFile(file, 'name: from-file\n')
      expect((await loadTopology(file)).name).toBe('from-file')
      await writeFile(file, 'name: 5\n')
      await expect(loadTopology(file)).rejects.toThrow(`${file}:1 name: expected a string, found 5`)
    } finally {
      await rm(dir, { recursive: true })
    }
  })

  test('error: missing file', async () => {
    const file = join(tmpdir(), 'op-devnet-no-such-dir', 'devnet.yaml')
    const error = await loadTopology(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetError)
    expect(error).toMatchObject({ code: 'DEVNET_SPEC_NOT_FOUND', message: `topology file not found: ${file}` })
  })

  test('args: proxyd.enabled and proxyd.config (read relative to the devnet.yaml and validated)', async () => {
    expect(parseTopology('proxyd: { enabled: false }', FILE).proxyd).toEqual({ enabled: false })
    const dir = await mkdtemp(join(tmpdir(), 'op-devnet-spec-'))
    try {
      const toml = '[server]\nrpc_port = 8080\n[backends.sequencer]\nrpc_url = "$PROXYD_BACKEND_SEQUENCER"\n[backend_groups.main]\nbackends = ["sequencer"]\n'
      await writeFile(join(dir, 'proxyd.toml'), toml)
      const file = join(dir, 'devnet.yaml')
      await writeFile(file, 'proxyd:\n  config: proxyd.toml\n')
      expect((await loadTopology(file)).proxyd).toEqual({ enabled: true, config: { file: join(dir, 'proxyd.toml'), toml } })
      await writeFile(join(dir, 'proxyd.toml'), toml.replace('rpc_port = 8080', 'rpc_port = 8080\nrpc_prot = 1'))
      await expect(loadTopology(file)).rejects.toThrow(`${file}:2 proxyd.config: invalid proxyd config: ${join(dir, 'proxyd.toml')}:3 server.rpc_prot: unknown key`)
      await writeFile(file, 'proxyd:\n  config: missing.toml\n')
      await expect(loadTopology(file)).rejects.toThrow(`${file}:2 proxyd.config: invalid proxyd config: cannot read ${join(dir, 'missing.toml')}`)
    } finally {
      await rm(dir, { recursive: true })
    }
  })
})

import { isMap } from 'yaml'
import { defaults } from './defaults.js'
import { mnemonicProblem } from './mnemonic.js'
import { bool, int, join, name, oneOf, str, type Check, type Entry, type Reader, type YNode } from './reader.js'
import { readConductor } from './conductor.js'
import { decodeEnrText } from '../protocol/enr.js'
import { readSettlement } from './settlement.js'
import { FORKS, type ForkName, type NodeSpec, type Topology } from './types.js'

type L2 = Topology['l2']
type Keys = Topology['keys']

/** Forks newer than the lite profile follows; named in their own message. */
const UNSUPPORTED_FORKS = ['holocene', 'isthmus', 'jovian']

/**
 * Reads a parsed `devnet.yaml` into a topology: each key is checked on its own, missing keys come
 * from {@link defaults}. Issues are collected on `r`; the result is only meaningful if there are none.
 */
export function readTopology(r: Reader, root: YNode): Topology {
  return r.section<Topology>(
    root,
    '',
    {
      name,
      profile: oneOf('lite', 'official'),
      l1: (r, node, path) =>
        r.section(node, path, { chainId: int(1), blockTime: int(1), slotsPerEpoch: int(1) }, defaults.l1),
      l2: readL2,
      batcher: (r, node, path) =>
        r.section<Topology['batcher']>(
          node,
          path,
          { maxChannelDuration: int(1), maxFrameSize: int(1000, 1_000_000), batchType: oneOf('singular', 'span') },
          defaults.batcher,
        ),
      proxyd: (r, node, path) => r.section<Topology['proxyd']>(node, path, { enabled: bool, config: readProxydConfig }, defaults.proxyd),
      settlement: readSettlement,
      ports: oneOf('stable', 'auto'),
      keys: readKeys,
    },
    defaults,
  )
}

const readL2: Check<L2> = (r, node, path) => {
  const { replicas, ...l2 } = r.section<L2 & { replicas?: number }>(
    node,
    path,
    {
      chainId: int(1),
      blockTime: int(1),
      sequencingWindow: int(2),
      channelTimeout: int(1),
      maxSequencerDrift: int(1),
      forks: readForks,
      nodes: readNodes,
      replicas: int(0),
      conductor: readConductor,
      discovery: oneOf('bootnodes', 'static'),
      bootnodes: readBootnodes,
    },
    defaults.l2,
  )
  if (replicas === undefined) return l2
  const at = join(path, 'replicas')
  if (r.lines.has(join(path, 'nodes'))) {
    r.fail(at, r.lines.get(at), `cannot be combined with ${join(path, 'nodes')}; give one or the other`)
  }
  return { ...l2, nodes: replicaNodes(replicas) }
}

/** `replicas: n`: the sequencer plus `replica-0..n-1`, each peering with the sequencer. */
function replicaNodes(count: number): NodeSpec[] {
  const replicas = Array.from({ length: count }, (_, i): NodeSpec => ({
    name: `replica-${i}`,
    role: 'replica',
    peers: ['sequencer'],
    l1Confs: 0,
    standby: false,
  }))
  return [{ name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 0, standby: true }, ...replicas]
}

/** `l2.bootnodes`: ENR text records, each decoded. */
const readBootnodes: Check<string[]> = (r, node, path) =>
  r.items(node, path)?.map((item) => {
    const text = str(r, item.node, item.path)
    if (text === undefined) return ''
    try {
      decodeEnrText(text)
    } catch (err) {
      r.fail(item.path, item.line, `invalid ENR: ${(err as Error).message}`)
    }
    return text
  })

const readForks: Check<L2['forks']> = (r, node, path) => {
  const forks: L2['forks'] = {}
  const unknown = (key: string) =>
    UNSUPPORTED_FORKS.includes(key)
      ? `fork ${JSON.stringify(key)} is not supported yet by the lite profile; it follows: ${FORKS.join(', ')}`
      : `unknown fork ${JSON.stringify(key)}; the lite profile follows: ${FORKS.join(', ')}`
  for (const [fork, entry] of r.entries(node, path, FORKS, unknown)) {
    const at = int(0)(r, entry.node, entry.path)
    if (at !== undefined) forks[fork as ForkName] = at
  }
  return forks
}

type NodeInput = Omit<NodeSpec, 'peers'> & { peers?: string[] }

/** Reads `l2.nodes`; `peers` defaults to `[]` for the sequencer and `[<sequencer>]` for replicas. */
const readNodes: Check<NodeSpec[]> = (r, node, path) => {
  const nodes = r.items(node, path)?.map((item) => readNode(r, item))
  const sequencer = nodes?.find((n) => n.role === 'sequencer')?.name
  return nodes?.map(({ peers, ...n }) => ({
    ...n,
    standby: n.role === 'sequencer' || n.standby,
    peers: peers ?? (n.role === 'replica' && sequencer !== undefined ? [sequencer] : []),
  }))
}

function readNode(r: Reader, { node, path, line }: Entry): NodeInput {
  const spec = r.section<NodeInput>(
    node,
    path,
    {
      name,
      role: oneOf('sequencer', 'replica'),
      peers: (r, node, path) => r.items(node, path)?.map((peer) => str(r, peer.node, peer.path) ?? ''),
      l1Confs: int(0),
      standby: bool,
    },
    { name: '', role: 'replica', l1Confs: 0, standby: false },
  )
  if (node === null || isMap(node)) {
    for (const key of ['name', 'role']) {
      if (!r.lines.has(join(path, key))) r.fail(path, line, `missing required key "${key}"`)
    }
  }
  return spec
}

const readKeys: Check<Keys> = (r, node, path) =>
  r.section<Keys>(
    node,
    path,
    {
      mnemonic: readMnemonic,
      roles: (r, node, path) =>
        r.section(
          node,
          path,
          { admin: int(0), batcher: int(0), proposer: int(0), challenger: int(0), sequencer: int(0) },
          defaults.keys.roles,
        ),
      fundedAccounts: int(1, 100),
    },
    defaults.keys,
  )

/** `proxyd.config`: a path (relative to the devnet.yaml) read and validated later by `parseTopology`. */
const readProxydConfig: Check<{ file: string; toml: string }> = (r, node, path) => {
  const file = str(r, node, path)
  return file === undefined ? undefined : { file, toml: '' }
}

/** A BIP-39 English mnemonic; whitespace is normalized to single spaces. */
const readMnemonic: Check<string> = (r, node, path) => {
  const phrase = str(r, node, path)
  if (phrase === undefined) return undefined
  const words = phrase.trim().split(/\s+/)
  const problem = mnemonicProblem(words)
  return problem ? r.fail(path, r.line(node), `expected a BIP-39 mnemonic: ${problem}`) : words.join(' ')
}

import { checkConductor } from './conductor.js'
import { join, type Reader } from './reader.js'
import { checkGameRange } from './settlement.js'
import { FORKS, FUNDED_BALANCE_WEI, type ForkName, type Topology } from './types.js'

type Role = keyof Topology['keys']['roles']

/**
 * Checks that span several keys, on a topology whose keys each passed {@link readTopology}.
 * Values the file did not give are defaults and trusted; issues point at the values it did give.
 */
export function checkTopology(r: Reader, t: Topology): void {
  checkChainIds(r, t)
  checkNodes(r, t)
  checkDiscovery(r, t)
  checkForks(r, t)
  checkBatchType(r, t)
  checkKeys(r, t)
  checkConductor(r, t)
  checkBond(r, t)
  checkGameRange(r, t)
}

/** Records an issue at a path the file gave. */
const fail = (r: Reader, path: string, message: string) => r.fail(path, r.lines.get(path), message)

function checkChainIds(r: Reader, t: Topology): void {
  if (t.l1.chainId !== t.l2.chainId) return
  const [at, other] = r.lines.has('l2.chainId') ? ['l2.chainId', 'l1.chainId'] : ['l1.chainId', 'l2.chainId']
  fail(r, at, `expected a chain id other than ${other} (${t.l1.chainId}), found ${t.l1.chainId}`)
}

function checkNodes(r: Reader, t: Topology): void {
  const nodePath = (i: number, key: string) => join(join('l2.nodes', i), key)
  const byName = new Map<string, number>()
  t.l2.nodes.forEach((node, i) => {
    const first = byName.get(node.name)
    if (first === undefined) byName.set(node.name, i)
    else fail(r, nodePath(i, 'name'), `duplicate node name ${JSON.stringify(node.name)}; l2.nodes[${first}] has it already`)
  })

  const sequencers = t.l2.nodes.flatMap((node, i) => (node.role === 'sequencer' ? [i] : []))
  if (sequencers.length === 0) fail(r, 'l2.nodes', 'expected exactly one node with role "sequencer", found none')
  for (const i of sequencers.slice(1)) {
    const first = JSON.stringify(t.l2.nodes[sequencers[0]].name)
    fail(r, nodePath(i, 'role'), `expected exactly one node with role "sequencer"; node ${first} is the sequencer already`)
  }

  t.l2.nodes.forEach((node, i) => {
    if (node.role === 'sequencer' && r.lines.has(nodePath(i, 'standby')) && !node.standby) {
      fail(r, nodePath(i, 'standby'), 'the sequencer always sequences; standby: false only makes sense on a replica')
    }
  })

  t.l2.nodes.forEach((node, i) => {
    if (!r.lines.has(nodePath(i, 'peers'))) return
    node.peers.forEach((peer, j) => {
      const at = join(nodePath(i, 'peers'), j)
      const quoted = JSON.stringify(peer)
      if (!byName.has(peer)) fail(r, at, `no node named ${quoted}`)
      else if (peer === node.name) fail(r, at, `a node cannot peer with itself (${quoted})`)
      else if (node.peers.indexOf(peer) < j) fail(r, at, `duplicate peer ${quoted}`)
    })
  })
}

/** Bootnode records only make sense with discovery on. */
function checkDiscovery(r: Reader, t: Topology): void {
  if (t.l2.discovery === 'static' && t.l2.bootnodes.length > 0) {
    fail(r, 'l2.bootnodes', 'bootnodes need l2.discovery: bootnodes (static means no discovery)')
  }
}

/** Forks are scheduled in {@link FORKS} order, without gaps, at non-decreasing offsets. */
function checkForks(r: Reader, t: Topology): void {
  let previous: ForkName | undefined
  FORKS.forEach((fork, i) => {
    const at = t.l2.forks[fork]
    if (at === undefined) return
    const path = join('l2.forks', fork)
    const missing = FORKS.slice(previous === undefined ? 0 : FORKS.indexOf(previous) + 1, i)
    const before = previous === undefined ? undefined : t.l2.forks[previous]!
    if (missing.length) {
      fail(r, path, `fork "${fork}" needs every earlier fork scheduled too; missing: ${missing.join(', ')}`)
    } else if (before !== undefined && at < before) {
      fail(r, path, `expected an offset >= ${before} (${previous} activates then; forks activate in order), found ${at}`)
    }
    previous = fork
  })
}

/** Span batches are valid from Delta: the batcher writes them from genesis, so Delta must be active there. */
function checkBatchType(r: Reader, t: Topology): void {
  if (t.batcher.batchType !== 'span' || t.l2.forks.delta === 0) return
  const delta = t.l2.forks.delta === undefined ? 'not scheduled' : `at ${t.l2.forks.delta}`
  fail(r, 'batcher.batchType', `span batches need l2.forks.delta: 0 (Delta at genesis); delta is ${delta}`)
}

/** Role indices are distinct and below `fundedAccounts`. */
function checkKeys(r: Reader, t: Topology): void {
  const roles = t.keys.roles
  const rolePath = (role: string) => join('keys.roles', role)
  // Defaults first, then the roles the file gives in document order: a clash is reported on the later one.
  const given = [...r.lines.keys()]
  const order = (Object.keys(roles) as Role[]).sort((a, b) => given.indexOf(rolePath(a)) - given.indexOf(rolePath(b)))
  const owner = new Map<number, Role>()
  for (const role of order) {
    const other = owner.get(roles[role])
    if (other === undefined) owner.set(roles[role], role)
    else fail(r, rolePath(role), `index ${roles[role]} is also used by ${rolePath(other)}; role indices must be distinct`)
  }

  const funded = t.keys.fundedAccounts
  const top = order.reduce((a, b) => (roles[b] > roles[a] ? b : a))
  if (funded > roles[top]) return
  if (r.lines.has('keys.fundedAccounts')) {
    fail(r, 'keys.fundedAccounts', `expected more than every role index (${rolePath(top)} is ${roles[top]}), found ${funded}`)
  } else {
    fail(r, rolePath(top), `index ${roles[top]} is not funded: keys.fundedAccounts is ${funded}; lower it or raise fundedAccounts`)
  }
}

/** The proposer pays the init bond of every game from its L1 balance (a funded dev account's). */
function checkBond(r: Reader, t: Topology): void {
  const bond = BigInt(t.settlement.initBond)
  if (bond <= FUNDED_BALANCE_WEI) return
  const eth = (wei: bigint) => `${Number(wei / 10n ** 15n) / 1000} ether`
  fail(r, 'settlement.initBond', `expected at most the proposer's L1 balance (${eth(FUNDED_BALANCE_WEI)}, keys.roles.proposer = ${t.keys.roles.proposer}), found ${eth(bond)}`)
}

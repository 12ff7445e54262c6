/**
 * Versioned cluster membership, as op-conductor's raft configuration: the record
 * `op-conductor/membership` holds `{servers: [{id, addr, suffrage}]}` and its etcd mod revision is the
 * `version`. A change with a non-zero version applies only if the version still matches (hashicorp/raft's
 * `configuration changed since X (latest is Y)` otherwise); only the leader may change it. Each change
 * is mirrored on etcd's own membership: a voter is an etcd member, a nonvoter an etcd learner, so the
 * quorum really is the voters'.
 */
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConductorError, configurationChanged, ERR_NOT_LEADER } from './errors.js'
import { KEYS, type ClusterMembership, type EtcdConsensus, type ServerInfo } from './consensus.js'
import { peerUrl, sendJoin } from './etcdMember.js'

/**
 * Runs one etcd write again while etcd drops it (`raft proposal dropped`: its raft leader is moving, as
 * when the member removed or added leads etcd's raft, which this conductor keeps off its own server). A
 * dropped proposal was not applied, so sending it again is safe; hashicorp/raft, under op-conductor,
 * waits out a leader change the same way instead of failing the call. Other errors, and a drop past
 * `forMs`, are thrown.
 */
export async function proposing<T>(write: () => Promise<T>, forMs = 5_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + forMs
  for (;;) {
    try {
      return await write()
    } catch (err) {
      if (!/raft proposal dropped/.test((err as Error).message) || Date.now() + everyMs > deadline) throw err
      await sleep(everyMs)
    }
  }
}

/** The membership record and its version (0 when none was written yet). */
export async function readMembership(cons: EtcdConsensus): Promise<ClusterMembership> {
  const kv = (await cons.read(KEYS.membership))[0]
  if (!kv) return { servers: [], version: 0 }
  return { servers: (JSON.parse(kv.value.toString()) as { servers: ServerInfo[] }).servers, version: Number(kv.mod_revision) }
}

/** Writes the first record (the bootstrapping server alone, as raft's bootstrap configuration). */
export async function bootstrapMembership(cons: EtcdConsensus): Promise<void> {
  const record = JSON.stringify({ servers: [{ id: cons.opts.serverId, addr: cons.opts.addr, suffrage: 0 }] })
  await cons.client.if(KEYS.membership, 'Create', '==', 0).then(cons.client.put(KEYS.membership).value(record)).commit()
}

/** Writes `servers` if the record is still at `version`; false when it moved. */
async function writeRecord(cons: EtcdConsensus, servers: ServerInfo[], version: number): Promise<boolean> {
  const res = await proposing(() =>
    cons.client
      .if(KEYS.membership, 'Mod', '==', version)
      .then(cons.client.put(KEYS.membership).value(JSON.stringify({ servers })))
      .commit(),
  )
  return res.succeeded
}

async function checkedRead(cons: EtcdConsensus, version: number): Promise<ClusterMembership> {
  if (!cons.leader()) throw new ConductorError(ERR_NOT_LEADER)
  const m = await readMembership(cons)
  if (version !== 0 && version !== m.version) throw new ConductorError(configurationChanged(BigInt(version), BigInt(m.version)))
  return m
}

/** Go's `net.DialTimeout("tcp", addr)` check that op-conductor runs before adding a server. */
export function dialCheck(addr: string, timeoutMs = 5_000): Promise<void> {
  const i = addr.lastIndexOf(':')
  const host = addr.slice(0, i)
  const port = Number(addr.slice(i + 1))
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    return Promise.reject(new ConductorError(`address ${addr}: missing port in address`))
  }
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, timeout: timeoutMs })
    s.once('connect', () => {
      s.destroy()
      resolve()
    })
    s.once('timeout', () => {
      s.destroy()
      reject(new ConductorError(`dial tcp ${addr}: i/o timeout`))
    })
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(new ConductorError(`dial tcp ${addr}: connect: ${err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`))
    })
  })
}

const findMember = async (cons: EtcdConsensus, s: ServerInfo) =>
  ((await cons.client.cluster.memberList({})).members ?? []).find((m) => m.name === s.id || m.peerURLs.includes(peerUrl(s.addr)))

/**
 * `AddVoter` / `AddNonvoter`: the same server again is a no-op; a nonvoter added as voter is promoted
 * (etcd learner promote); a new server is dialled, recorded, added to etcd (`member add`, learner for
 * a nonvoter) and sent the join message so its waiting conductor starts its etcd member.
 */
export async function addServer(cons: EtcdConsensus, id: string, addr: string, version: number, suffrage: 0 | 1): Promise<void> {
  const m = await checkedRead(cons, version)
  const existing = m.servers.find((s) => s.id === id)
  if (existing) {
    if (existing.addr !== addr) throw new ConductorError(`server ${id} is already a member at ${existing.addr}`)
    if (existing.suffrage === suffrage || (existing.suffrage === 0 && suffrage === 1)) return
    const member = await findMember(cons, existing)
    if (member) await proposing(() => cons.client.cluster.memberPromote({ ID: member.ID }))
    if (!(await writeRecord(cons, m.servers.map((s) => (s.id === id ? { ...s, suffrage: 0 } : s)), m.version))) {
      throw new ConductorError(configurationChanged(BigInt(m.version), BigInt((await readMembership(cons)).version)))
    }
    return
  }
  await dialCheck(addr)
  const servers: ServerInfo[] = [...m.servers, { id, addr, suffrage }]
  if (!(await writeRecord(cons, servers, m.version))) {
    throw new ConductorError(configurationChanged(BigInt(m.version), BigInt((await readMembership(cons)).version)))
  }
  let added: string | undefined
  try {
    const res = await proposing(() => cons.client.cluster.memberAdd({ peerURLs: [peerUrl(addr)], isLearner: suffrage === 1 }))
    added = res.member?.ID
    const nameOf = (urls: string[], name: string) => name || servers.find((s) => urls.includes(peerUrl(s.addr)))?.id || id
    const initialCluster = (res.members ?? []).map((mm) => `${nameOf(mm.peerURLs, mm.name)}=${mm.peerURLs[0]}`).join(',')
    await sendJoin(addr, { initialCluster })
  } catch (err) {
    if (added) await cons.client.cluster.memberRemove({ ID: added }).catch(() => undefined)
    const now = await readMembership(cons).catch(() => undefined)
    if (now) await writeRecord(cons, m.servers, now.version).catch(() => undefined)
    throw new ConductorError(`failed to add server ${id} at ${addr}: ${(err as Error).message}`)
  }
}

/**
 * `RemoveServer`: drops the server from the record (and the leader key when the leader removes
 * itself) and from etcd's members; its etcd member then stops. Unknown IDs are a no-op, as in raft.
 */
export async function removeServer(cons: EtcdConsensus, id: string, version: number): Promise<void> {
  const m = await checkedRead(cons, version)
  const target = m.servers.find((s) => s.id === id)
  if (!target) return
  const servers = m.servers.filter((s) => s.id !== id)
  const ops = [cons.client.put(KEYS.membership).value(JSON.stringify({ servers }))]
  const resign = id === cons.opts.serverId ? [cons.client.delete().key(KEYS.leader)] : []
  const res = await proposing(() => cons.client.if(KEYS.membership, 'Mod', '==', m.version).then(...ops, ...resign).commit())
  if (!res.succeeded) {
    throw new ConductorError(configurationChanged(BigInt(m.version), BigInt((await readMembership(cons)).version)))
  }
  const member = await findMember(cons, target)
  if (member) await proposing(() => cons.client.cluster.memberRemove({ ID: member.ID }))
}

/** The etcd consensus against a real one-member etcd (Debian's etcd-server), in process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { logger } from '../shared/log.js'
import { EtcdConsensus, KEYS, type EnvelopeJson } from './consensus.js'
import { ERR_CANNOT_FIND_PEER, ERR_NOT_LEADER, ERR_TRANSFER_TO_SELF } from './errors.js'
import { startEtcdMember, type EtcdMember } from './etcdMember.js'
import { bootstrapMembership, readMembership } from './membership.js'

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

const envelope = (n: number): EnvelopeJson => ({ executionPayload: { blockNumber: `0x${n.toString(16)}`, blockHash: `0x${n.toString(16).padStart(64, '0')}` } })
const waitUntil = async (what: string, f: () => boolean) => {
  const deadline = Date.now() + 10_000
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('EtcdConsensus on a real etcd member', () => {
  const log = logger('consensus-test')
  let dir: string
  let member: EtcdMember
  let cons: EtcdConsensus

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'consensus-'))
    const [peerPort, clientPort] = [await freePort(), await freePort()]
    member = await startEtcdMember(
      { bin: 'etcd', name: 'a', dataDir: join(dir, 'a'), listenHost: '127.0.0.1', peerPort, advertised: `127.0.0.1:${peerPort}`, clientPort, heartbeatMs: 50, electionMs: 500, snapshotCount: 8192 },
      { kind: 'new' },
      log,
    )
    // A long poll period: after its first round, this server does not re-read the leader key, so
    // only the commit's transaction can notice a deposition.
    cons = new EtcdConsensus({ serverId: 'a', addr: `127.0.0.1:${peerPort}`, clientUrl: member.clientUrl, leaseTtlSec: 5, pollMs: 600_000, transferWindowMs: 2_000, callTimeoutMs: 2_000 }, log)
    await bootstrapMembership(cons)
    cons.start()
    await waitUntil('leadership', () => cons.leader())
  })

  afterAll(async () => {
    await cons?.shutdown()
    await member?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('default: the bootstrapped voter is the leader and the membership lists it', async () => {
    expect(cons.leaderWithId()).toEqual({ id: 'a', addr: cons.opts.addr, suffrage: 0 })
    const m = await readMembership(cons)
    expect(m.servers).toEqual([{ id: 'a', addr: cons.opts.addr, suffrage: 0 }])
    expect(m.version).toBeGreaterThan(0)
  })

  it('behavior: commits are monotonic: a lower block succeeds without writing', async () => {
    await cons.commitUnsafePayload(envelope(5))
    await cons.commitUnsafePayload(envelope(3))
    expect((await cons.latestUnsafePayload())?.executionPayload.blockNumber).toBe('0x5')
    await cons.commitUnsafePayload(envelope(6))
    expect((await cons.latestUnsafePayload())?.executionPayload.blockNumber).toBe('0x6')
  })

  it('error: transfer to itself or to a server that is not a voter', async () => {
    await expect(cons.transferLeader({ id: 'a', addr: cons.opts.addr })).rejects.toThrow(ERR_TRANSFER_TO_SELF)
    await expect(cons.transferLeader({ id: 'nobody', addr: '127.0.0.1:1' })).rejects.toThrow(ERR_CANNOT_FIND_PEER)
    await expect(cons.transferLeader()).rejects.toThrow(ERR_CANNOT_FIND_PEER)
  })

  it('error: a deposed leader that has not noticed yet cannot commit (the fence)', async () => {
    // Another server takes the leader key (as after this one's lease expired): a new create revision.
    await cons.client.delete().key(KEYS.leader)
    await cons.client.put(KEYS.leader).value(JSON.stringify({ id: 'b', addr: '127.0.0.1:2' }))
    expect(cons.leader()).toBe(true) // its own view is stale
    await expect(cons.commitUnsafePayload(envelope(7))).rejects.toThrow(`failed to apply payload envelope: ${ERR_NOT_LEADER}`)
    expect((await cons.latestUnsafePayload())?.executionPayload.blockNumber).toBe('0x6')
    expect(cons.leader()).toBe(false)
  })

  it('error: a malformed envelope is refused', async () => {
    await expect(cons.commitUnsafePayload({} as EnvelopeJson)).rejects.toThrow('invalid payload envelope')
  })
})

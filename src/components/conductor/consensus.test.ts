/** The etcd consensus against a real one-member etcd (Debian's etcd-server), in process. */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { requires } from '../../../test/requires.js'
import { etcdAvailable, startSingleConsensus } from '../../../test/conductorCluster.js'
import { KEYS, type EnvelopeJson, type EtcdConsensus } from './consensus.js'
import { ERR_CANNOT_FIND_PEER, ERR_NOT_LEADER, ERR_TRANSFER_TO_SELF } from './errors.js'
import { readMembership } from './membership.js'

const envelope = (n: number): EnvelopeJson => ({ executionPayload: { blockNumber: `0x${n.toString(16)}`, blockHash: `0x${n.toString(16).padStart(64, '0')}` } })
requires('etcd', etcdAvailable(), 'apt-get install -y etcd-server')('EtcdConsensus on a real etcd member', () => {
  let cons: EtcdConsensus
  let stop: () => Promise<void>

  beforeAll(async () => {
    // A long poll period: after its first round, this server does not re-read the leader key, so
    // only the commit's transaction can notice a deposition.
    ;({ cons, stop } = await startSingleConsensus('a', { pollMs: 600_000 }))
  })

  afterAll(async () => {
    await stop?.()
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

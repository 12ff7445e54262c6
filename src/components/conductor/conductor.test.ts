/**
 * The control loop's steps against a real one-member etcd consensus and an in-memory `SequencerControl`
 * that can fail any admin call on demand: the error paths of each step (a start or stop refused, the node
 * not answering) that a real node gives only by chance. The same loop against real lite rollup nodes:
 * test/conductor.test.ts and test/conductor.devnet.test.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { requires } from '../../../test/requires.js'
import { etcdAvailable, startSingleConsensus } from '../../../test/conductorCluster.js'
import { logger } from '../shared/log.js'
import { Conductor } from './conductor.js'
import type { EnvelopeJson, EtcdConsensus } from './consensus.js'
import { ERR_CANNOT_FIND_PEER, ERR_NO_UNSAFE_HEAD, ERR_SEQUENCER_NOT_HEALTHY, ERR_UNSAFE_HEAD_MISMATCH } from './errors.js'
import type { SequencerControl } from './sequencerControl.js'

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
const envelope = (n: number): EnvelopeJson => ({ executionPayload: { blockNumber: `0x${n.toString(16)}`, blockHash: hash(n) } })

function nodeStandIn() {
  const node = {
    calls: [] as string[],
    el: { number: 0n, hash: hash(0) },
    active: false,
    fail: {} as Partial<Record<'start' | 'stop' | 'active', string>>,
  }
  const ctrl: SequencerControl = {
    sequencerActive: async () => {
      if (node.fail.active) throw new Error(node.fail.active)
      return node.active
    },
    startSequencer: async (h) => {
      node.calls.push(`start ${h}`)
      if (node.fail.start) throw new Error(node.fail.start)
      node.active = true
    },
    stopSequencer: async () => {
      node.calls.push('stop')
      if (node.fail.stop) throw new Error(node.fail.stop)
      node.active = false
      return node.el.hash
    },
    postUnsafePayload: async (e) => void node.calls.push(`post ${e.executionPayload.blockNumber}`),
    conductorEnabled: async () => true,
    latestUnsafeBlock: async () => node.el,
  }
  return { node, ctrl }
}

requires('etcd', etcdAvailable(), 'apt-get install -y etcd-server')('Conductor control loop steps', () => {
  let cons: EtcdConsensus
  let stop: () => Promise<void>
  const log = logger('conductor-test')

  beforeAll(async () => {
    ;({ cons, stop } = await startSingleConsensus('solo'))
  })
  afterAll(async () => {
    await stop?.()
  })

  const conductor = (ctrl: SequencerControl, state: { leader: boolean; healthy: boolean; active: boolean }) => {
    const c = new Conductor(cons, ctrl, undefined, log, false)
    c.retryBackoff = () => 0
    Object.assign(c, state)
    return c
  }

  it('error: a leader cannot start without a committed unsafe head', async () => {
    const { node, ctrl } = nodeStandIn()
    const err = await conductor(ctrl, { leader: true, healthy: true, active: false }).action()
    expect(String(err)).toContain(ERR_NO_UNSAFE_HEAD)
    expect(node.calls).toEqual([])
  })

  it('behavior: a healthy leader starts its sequencer at the consensus head', async () => {
    await cons.commitUnsafePayload(envelope(5))
    const { node, ctrl } = nodeStandIn()
    node.el = { number: 5n, hash: hash(5) }
    const c = conductor(ctrl, { leader: true, healthy: true, active: false })
    expect(await c.action()).toBeUndefined()
    expect(node.calls).toEqual([`start ${hash(5)}`])
    expect(c.active).toBe(true)
  })

  it('behavior: an EL one block behind gets the payload posted before the start', async () => {
    const { node, ctrl } = nodeStandIn()
    node.el = { number: 4n, hash: hash(4) }
    expect(await conductor(ctrl, { leader: true, healthy: true, active: false }).action()).toBeUndefined()
    expect(node.calls).toEqual(['post 0x5', `start ${hash(5)}`])
  })

  it('error: an EL further behind is an unsafe head mismatch, and nothing starts', async () => {
    const { node, ctrl } = nodeStandIn()
    node.el = { number: 3n, hash: hash(3) }
    const c = conductor(ctrl, { leader: true, healthy: true, active: false })
    expect(String(await c.action())).toContain(ERR_UNSAFE_HEAD_MISMATCH)
    expect(node.calls).toEqual([])
    expect(c.active).toBe(false)
  })

  it('behavior: "sequencer already running" on start and "sequencer not running" on stop count as done', async () => {
    const a = nodeStandIn()
    a.node.el = { number: 5n, hash: hash(5) }
    a.node.fail.start = 'sequencer already running'
    expect(await conductor(a.ctrl, { leader: true, healthy: true, active: false }).action()).toBeUndefined()
    const b = nodeStandIn()
    b.node.fail.stop = 'sequencer not running'
    const c = conductor(b.ctrl, { leader: false, healthy: true, active: true })
    expect(await c.action()).toBeUndefined()
    expect(c.active).toBe(false)
  })

  it('error: another stop failure is reported and retried', async () => {
    const { node, ctrl } = nodeStandIn()
    node.fail.stop = 'connection refused'
    const c = conductor(ctrl, { leader: false, healthy: false, active: true })
    expect(String(await c.action())).toContain('failed to stop sequencer: connection refused')
    expect(c.active).toBe(true)
  })

  it('behavior: a new, unhealthy leader whose start fails transfers leadership instead', async () => {
    const { node, ctrl } = nodeStandIn()
    node.el = { number: 5n, hash: hash(5) }
    node.fail.start = 'engine offline'
    const c = conductor(ctrl, { leader: true, healthy: false, active: false })
    c.healthError = ERR_SEQUENCER_NOT_HEALTHY
    // The only voter: the transfer that follows the failed start finds no peer.
    expect(String(await c.action())).toContain(ERR_CANNOT_FIND_PEER)
    expect(node.calls).toEqual([`start ${hash(5)}`])
  })

  it('behavior: paused, the loop takes no action; resume re-reads admin_sequencerActive', async () => {
    const { node, ctrl } = nodeStandIn()
    node.el = { number: 5n, hash: hash(5) }
    const c = conductor(ctrl, { leader: true, healthy: true, active: false })
    await c.pause()
    expect(await c.action()).toBeUndefined()
    expect(node.calls).toEqual([])
    node.active = true
    await c.resume()
    expect(c.paused).toBe(false)
    expect(c.active).toBe(true)
    node.fail.active = 'node down'
    await expect(c.resume()).rejects.toThrow('cannot resume because failed to get sequencer active status: node down')
  })
})

import { describe, expect, it } from 'vitest'
import { decide, sameState, type State } from './control.js'
import { ERR_SEQUENCER_CONNECTION_DOWN, ERR_SEQUENCER_NOT_HEALTHY } from './errors.js'

const s = (leader: boolean, healthy: boolean, active: boolean): State => ({ leader, healthy, active })
const steady = s(false, true, false)

describe('control loop decision table (op-conductor action())', () => {
  it('behavior: F,F,F (unhealthy follower, not sequencing) only logs', () => {
    expect(decide(s(false, false, false), steady, ERR_SEQUENCER_NOT_HEALTHY)).toBe('logUnhealthy')
  })
  it('behavior: F,F,T (unhealthy follower sequencing) stops the sequencer', () => {
    expect(decide(s(false, false, true), steady, ERR_SEQUENCER_NOT_HEALTHY)).toBe('stopSequencer')
  })
  it('behavior: F,T,F (normal follower) does nothing', () => {
    expect(decide(s(false, true, false), steady, undefined)).toBe('none')
  })
  it('behavior: F,T,T (stepped down, still sequencing) stops the sequencer', () => {
    expect(decide(s(false, true, true), s(true, true, true), undefined)).toBe('stopSequencer')
  })
  it('behavior: T,T,F (healthy leader not sequencing) starts the sequencer', () => {
    expect(decide(s(true, true, false), steady, undefined)).toBe('startSequencer')
  })
  it('behavior: T,T,T (normal leader) does nothing', () => {
    expect(decide(s(true, true, true), s(true, true, true), undefined)).toBe('none')
  })
  it('behavior: T,F,F coming from (follower, not active) and not connection-down starts anyway', () => {
    expect(decide(s(true, false, false), s(false, true, false), ERR_SEQUENCER_NOT_HEALTHY)).toBe('startOrTransfer')
    expect(decide(s(true, false, false), s(false, false, false), ERR_SEQUENCER_NOT_HEALTHY)).toBe('startOrTransfer')
  })
  it('behavior: T,F,F with the connection down transfers leadership', () => {
    expect(decide(s(true, false, false), s(false, true, false), ERR_SEQUENCER_CONNECTION_DOWN)).toBe('transferLeader')
  })
  it('behavior: T,F,F when it was already leader (or active) transfers leadership', () => {
    expect(decide(s(true, false, false), s(true, true, true), ERR_SEQUENCER_NOT_HEALTHY)).toBe('transferLeader')
    expect(decide(s(true, false, false), s(false, true, true), ERR_SEQUENCER_NOT_HEALTHY)).toBe('transferLeader')
  })
  it('behavior: T,F,T right after the T,F,F start waits for the sequencer to recover', () => {
    expect(decide(s(true, false, true), s(true, false, false), ERR_SEQUENCER_NOT_HEALTHY)).toBe('waitForHealthy')
  })
  it('behavior: T,F,T after T,F,F but connection down stops and transfers', () => {
    expect(decide(s(true, false, true), s(true, false, false), ERR_SEQUENCER_CONNECTION_DOWN)).toBe('stopAndTransfer')
  })
  it('behavior: T,F,T (healthy leader became unhealthy) stops and transfers', () => {
    expect(decide(s(true, false, true), s(true, true, true), ERR_SEQUENCER_NOT_HEALTHY)).toBe('stopAndTransfer')
  })
  it('default: sameState compares all three flags', () => {
    expect(sameState(s(true, false, true), s(true, false, true))).toBe(true)
    expect(sameState(s(true, false, true), s(true, true, true))).toBe(false)
  })
})

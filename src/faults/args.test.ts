import { describe, expect, test } from 'vitest'
import { defaultTopology } from '../topology/defaults.js'
import { parseFaultOptions } from './args.js'
import { namesOf } from './checks.js'
import { FAULT_NAMES } from './registry.js'

const names = namesOf(defaultTopology())
const parse = (name: string, ...options: string[]) => parseFaultOptions(name, options, names)

describe('parseFaultOptions (devnet fault)', () => {
  test('default: values read as YAML, defaults filled in', () => {
    expect(parse('l1Reorg', '--depth', '3')).toEqual({ name: 'l1Reorg', args: { depth: 3, reinclude: false, allowFinalized: false } })
    expect(parse('heal')).toEqual({ name: 'heal', args: {} })
    // An optional argument without a default is left out, not a reason to drop the fault.
    expect(parse('invalidProposal')).toEqual({ name: 'invalidProposal', args: { from: 'rogue' } })
    expect(parse('propose', '--block', '12')).toEqual({ name: 'propose', args: { block: 12 } })
    expect(parse('pause', '--service', 'bootnode')).toEqual({ name: 'pause', args: { service: 'bootnode' } })
    expect(parse('start', '--service', 'replica-0', '--fresh', 'true')).toEqual({ name: 'start', args: { service: 'replica-0', fresh: true } })
    expect(parse('partition', '--groups', '[[replica-0], [sequencer, l1, batcher]]')).toEqual({
      name: 'partition',
      args: { groups: [['replica-0'], ['sequencer', 'l1', 'batcher']], links: 'all' },
    })
  })

  test('error: the same path: expected … messages as scenario steps', () => {
    expect(() => parse('l1Reorg', '--depth', 'two')).toThrow(/^args\.depth: expected an integer >= 1, found "two"$/)
    expect(() => parse('l1Reorg')).toThrow(/^args: missing required argument "depth" for l1Reorg$/)
    expect(() => parse('l1Reorg', '--depth', '1', '--deep', 'true')).toThrow('args.deep: unknown argument "deep" for l1Reorg; expected one of: depth, reinclude, allowFinalized')
    expect(() => parse('l1Reorg', '--depth', '5')).toThrow("args.depth: a reorg of depth 5 replaces L1's finalized block (finalized = head - 4); use a depth of at most 4 or set allowFinalized: true")
    expect(() => parse('crash', '--service', 'replica-7')).toThrow('args.service: unknown service "replica-7"; expected one of: sequencer, replica-0, l1, batcher, proposer, challenger, proxyd, bootnode')
    expect(() => parse('partition', '--groups', '[[sequencer], [replica-0, l1]]', '--links', 'p2p')).toThrow('args.groups[1][1]: "l1" has no p2p links; partition it with links: all')
    expect(() => parse('bandwidth', '--service', 'replica-0', '--kbps', '0')).toThrow('args.kbps: expected an integer >= 1, found 0')
  })

  test('error: unknown faults and malformed options', () => {
    expect(() => parse('l1reorg')).toThrow(`fault: unknown fault "l1reorg"; expected one of: ${FAULT_NAMES.join(', ')}`)
    expect(() => parse('l1Reorg', 'depth', '3')).toThrow('fault l1Reorg: expected --<argument> <value>, found "depth"')
    expect(() => parse('l1Reorg', '--depth')).toThrow('fault l1Reorg: expected a value after --depth')
    try {
      parse('l1Reorg', '--depth', 'x')
    } catch (error) {
      expect((error as { code?: string }).code).toBe('DEVNET_USAGE')
    }
  })
})

/**
 * The conductor invariants bite on a real HA devnet (fixtures/ha.yaml): a forced equivocation (a
 * follower started with the override while the leader sequences) fails the run with singleSequencer,
 * naming both blocks and both sequencers. The shipped conductor scenarios run in test/scenario.test.ts.
 */
import { describe, expect, test } from 'vitest'
import { runScenario } from '../src/scenario/runner.js'
import { etcdAvailable } from './conductorCluster.js'
import { testRuntimes } from './helpers.js'
import { requires } from './requires.js'

const fixture = new URL('../src/scenario/fixtures/forced-equivocation.yaml', import.meta.url).pathname

const withEtcd = requires('etcd (Debian etcd-server)', etcdAvailable(), 'apt-get install -y etcd-server')
for (const runtime of testRuntimes()) withEtcd(`conductor invariants on ${runtime}`, () => {
  test('behavior: two sequencers started with the override equivocate and singleSequencer names both', async () => {
    const { result, history } = await runScenario(fixture, { runtime, settleMs: 500 })
    expect(result.passed).toBe(false)
    const v = result.violations.filter((x) => x.invariant === 'singleSequencer')
    expect(v.length).toBeGreaterThan(0)
    expect(v[0]!.message).toMatch(/^two blocks at L2 height \d+: 0x[0-9a-f]{64} \((sequenced|committed) by seq-[01], t=\d+ms\) and 0x[0-9a-f]{64} \((sequenced|committed) by seq-[01], t=\d+ms\)$/)
    const by = new Set((v[0]!.evidence as Array<{ by: string }>).map((c) => c.by))
    expect(by).toEqual(new Set(['seq-0', 'seq-1']))
    expect(history.claims!.length).toBeGreaterThan(0)
  }, 240_000)
})

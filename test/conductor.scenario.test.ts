/**
 * The conductor invariants bite on a real HA devnet (fixtures/ha.yaml): a forced equivocation (a
 * follower started with the override while the leader sequences) fails the run with singleSequencer,
 * naming both blocks and both sequencers. The shipped conductor scenarios run in test/scenario.{process,docker}.test.ts.
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
    // Once (three suites side by side) the run passed: say what the recorder saw, to tell whether seq-1
    // never sequenced or the sampler missed the two chains.
    const seen = {
      steps: result.steps.map((s) => `${s.status}: ${s.label}`),
      claims: [...new Set((history.claims ?? []).map((c) => `${c.via} by ${c.by}`))].map((k) => {
        const of = (history.claims ?? []).filter((c) => `${c.via} by ${c.by}` === k).map((c) => c.number)
        return `${k}: ${of.length} (heights ${Math.min(...of)}-${Math.max(...of)})`
      }),
      activeConductors: [...new Set((history.conductors ?? []).filter((c) => c.active).map((c) => c.node))],
      overridden: [...new Set((history.conductors ?? []).filter((c) => c.overridden).map((c) => c.node))],
    }
    expect(result.passed, JSON.stringify(seen)).toBe(false)
    const v = result.violations.filter((x) => x.invariant === 'singleSequencer')
    const why = [...result.steps.filter((s) => s.status === 'failed').map((s) => `${s.label}: ${s.message}`), ...result.violations.map((x) => `${x.invariant}: ${x.message}`), result.error?.message]
    expect(v.length, why.filter(Boolean).join('\n')).toBeGreaterThan(0)
    expect(v[0]!.message).toMatch(/^two blocks at L2 height \d+: 0x[0-9a-f]{64} \((sequenced|committed) by seq-[012], t=\d+ms\) and 0x[0-9a-f]{64} \((sequenced|committed) by seq-[012], t=\d+ms\)$/)
    // The two claims name different blocks. Who vouched for each depends on timing: seq-0 and seq-1 each
    // sequencing (or a conductor holding seq-0's committed block) against seq-1's sequenced one.
    const [a, b] = v[0]!.evidence as Array<{ by: string; hash: string; via: string }>
    expect(a!.hash).not.toBe(b!.hash)
    const claims = v.flatMap((x) => x.evidence as Array<{ by: string; via: string }>)
    expect(claims.some((c) => c.by === 'seq-1' && c.via === 'sequenced')).toBe(true)
    expect(history.claims!.length).toBeGreaterThan(0)
  }, 240_000)
})

import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { DevnetError } from '../errors.js'
import { clockFromEnv } from '../protocol/clock.js'
import { defaultTopology, parseTopology } from '../topology/index.js'
import type { L1ClockConfig } from '../components/l1-clock/config.js'
import { planDevnet } from './plan.js'

const genesisTime = 1_700_000_000
const HA = new URL('../../fixtures/ha.yaml', import.meta.url)

describe('planDevnet speed', () => {
  const l1Clock = (plan: ReturnType<typeof planDevnet>) => JSON.parse(plan.services.find((s) => s.name === 'l1-clock')!.files['config.json']!) as L1ClockConfig

  test('default: speed 1: L1 mines nothing itself, the L1 clock (held until the start ends) mines a block per topology block time, and no service gets a clock', () => {
    const plan = planDevnet(defaultTopology(), { runtime: 'process', genesisTime })
    const l1 = plan.services.find((s) => s.name === 'l1')!
    expect(l1.args).toContain('--no-mining')
    expect(l1.args).not.toContain('--block-time')
    expect(l1Clock(plan)).toMatchObject({ blockTime: 2, genesisTime, held: true, l1Rpc: 'http://{{link:l1:rpc}}' })
    for (const service of plan.services) expect(service.env).not.toHaveProperty('DEVNET_CLOCK_SPEED')
  })

  test('args: speed 4: the L1 clock keeps chain-time slots (it reads the clock), and every lite service gets the clock from the genesis time', () => {
    const plan = planDevnet(defaultTopology(), { runtime: 'process', genesisTime, speed: 4 })
    expect(l1Clock(plan)).toMatchObject({ blockTime: 2, genesisTime })
    const lite = plan.services.filter((s) => s.program === 'lite')
    expect(lite.length).toBeGreaterThan(2)
    for (const service of lite) expect(clockFromEnv(service.env)).toEqual({ originMs: genesisTime * 1000, speed: 4 })
  })

  test('error: a speed out of range', () => {
    expect(() => planDevnet(defaultTopology(), { runtime: 'process', genesisTime, speed: 0 })).toThrow(/--speed: speed must be a number from 1 to 16, got 0/)
  })

  test('error: conductors keep wall time (etcd), so a conductor topology refuses a speed other than 1', () => {
    const ha = parseTopology(readFileSync(HA, 'utf8'), 'ha.yaml')
    expect(() => planDevnet(ha, { runtime: 'process', genesisTime })).not.toThrow()
    let error: unknown
    try {
      planDevnet(ha, { runtime: 'process', genesisTime, speed: 4 })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DevnetError)
    expect((error as DevnetError).code).toBe('DEVNET_USAGE')
    expect((error as DevnetError).message).toMatch(/--speed 4 cannot run a topology with conductors \(seq-0, seq-1, seq-2\)/)
    expect((error as DevnetError).message).toMatch(/etcd, whose raft election and lease timeouts are wall time/)
  })
})

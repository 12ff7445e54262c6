import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { l2Genesis, rollupConfig } from '../../plan/genesis.js'
import { anvilBinary } from '../../runtime/process/index.js'
import { defaultTopology } from '../../topology/index.js'
import { Engine, EngineHistoryError } from './engine.js'
import { readSnapshot, snapshotPath, writeSnapshot, type NodeSnapshot } from './persist.js'
import { logger } from '../shared/log.js'

const dir = mkdtempSync(join(tmpdir(), 'op-devnet-persist-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const snap = (engineState: `0x${string}`): NodeSnapshot => {
  const ref = { hash: `0x${'11'.repeat(32)}`, number: 0, parentHash: `0x${'00'.repeat(32)}`, timestamp: 1, l1origin: { hash: `0x${'22'.repeat(32)}`, number: 0 }, sequenceNumber: 0 } as const
  return { version: 1, genesisL2: ref.hash, finalized: ref, records: [{ l2: ref, derivedFrom: { ...ref.l1origin, parentHash: ref.parentHash, timestamp: 1 } }], engineState }
}

describe('snapshot file', () => {
  test('default: what is written is read back', async () => {
    const d = join(dir, 'rw')
    await writeSnapshot(d, snap('0x1f8b'))
    expect(readSnapshot(d, () => {})).toEqual(snap('0x1f8b'))
  })

  test('behavior: no file reads as no snapshot', () => {
    expect(readSnapshot(join(dir, 'none'), () => {})).toBeUndefined()
  })

  test('error: a torn or foreign file is reported and ignored', async () => {
    const d = join(dir, 'bad')
    await writeSnapshot(d, snap('0x1f8b'))
    writeFileSync(snapshotPath(d), '{"version":1,"genesisL2":"0x')
    const reasons: string[] = []
    expect(readSnapshot(d, (r) => reasons.push(r))).toBeUndefined()
    writeFileSync(snapshotPath(d), JSON.stringify({ ...snap('0x1f8b'), version: 7 }))
    expect(readSnapshot(d, (r) => reasons.push(r))).toBeUndefined()
    expect(reasons).toHaveLength(2)
    expect(reasons[0]).toContain(snapshotPath(d))
    expect(reasons[1]).toMatch(/version 7, expected 1/)
  })
})

describe('engine state', () => {
  const topology = defaultTopology()
  const genesisTime = Math.floor(Date.now() / 1000)
  const genesisFile = join(dir, 'l2-genesis.json')
  const engines: Engine[] = []
  const start = async () => {
    const e = await Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg: rollupConfig(topology, genesisTime), log: logger('test') })
    engines.push(e)
    return e
  }
  beforeAll(() => writeFileSync(genesisFile, JSON.stringify(l2Genesis(topology, genesisTime))))
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()))
  })

  const mine = async (e: Engine, n: number) => {
    for (let i = 0; i < n; i++) {
      const head = await e.head()
      await e.rpc.call('evm_mine', [{ timestamp: Number(head.timestamp) + 2 }])
    }
  }

  test('behavior: a loaded dump has the same blocks, and the next block built on it is the same', async () => {
    const a = await start()
    await mine(a, 3)
    const b = await start()
    await b.loadState(await a.dumpState())
    for (const n of [0, 1, 3]) expect((await b.blockByNumber(n))?.hash).toBe((await a.blockByNumber(n))?.hash)
    await mine(a, 1)
    await mine(b, 1)
    const [x, y] = [await a.blockByNumber(4), await b.blockByNumber(4)]
    expect(y?.mixHash).toBe(x?.mixHash)
    expect(y?.hash).toBe(x?.hash)
  })

  test('error: rolling back below the loaded block is an EngineHistoryError', async () => {
    const a = await start()
    await mine(a, 3)
    const b = await start()
    await b.loadState(await a.dumpState())
    await mine(b, 2)
    await b.rewindTo(3) // blocks built after the load can be rolled back
    await expect(b.rewindTo(1)).rejects.toBeInstanceOf(EngineHistoryError)
  })

  test('behavior: restartCold gives a fresh engine with the genesis only', async () => {
    const a = await start()
    const genesis = (await a.blockByNumber(0))!.hash
    await mine(a, 2)
    const oldUrl = a.url
    await a.restartCold()
    expect(a.url).not.toBe(oldUrl)
    expect(Number((await a.head()).number)).toBe(0)
    expect((await a.blockByNumber(0))?.hash).toBe(genesis)
  })
})

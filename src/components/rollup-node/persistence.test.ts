/**
 * The resume paths of a node's persistence on real anvils: the blocks above the floor snapshot are
 * rebuilt; the latest dump is kept alone when the floor is not on its chain, when the replay is too long
 * or when a rebuilt block comes out different; a pending floor that an unsafe reorg replaced is dropped.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { l2Genesis, rollupConfig } from '../../plan/genesis.js'
import { devKeys } from '../../plan/keys.js'
import { encodeDepositTx, userDepositSourceHash } from '../../protocol/deposit.js'
import type { L2BlockRef } from '../../protocol/types.js'
import { anvilBinary } from '../../runtime/process/index.js'
import { defaultTopology } from '../../topology/index.js'
import { l1InfoTx } from './attributes.js'
import { Engine, rawDeposit, type RpcBlock } from './engine.js'
import type { L1Block, L1Source } from './l1.js'
import { readSnapshot, snapshotPath } from './persist.js'
import { Persistence, snapshotWait, type PersistenceHost } from './persistence.js'
import type { Logger } from '../shared/log.js'

const dir = mkdtempSync(join(tmpdir(), 'op-devnet-persistence-'))
const topology = defaultTopology()
const genesisTime = Math.floor(Date.now() / 1000) - 1000
const cfg = rollupConfig(topology, genesisTime)
const genesisFile = join(dir, 'l2-genesis.json')
const origin = { ref: { hash: `0x${'ab'.repeat(32)}`, number: 1, parentHash: `0x${'cd'.repeat(32)}`, timestamp: genesisTime }, baseFeePerGas: 7n, mixHash: `0x${'00'.repeat(32)}`, transactions: [] } as L1Block
const engines: Engine[] = []

beforeAll(() => writeFileSync(genesisFile, JSON.stringify(l2Genesis(topology, genesisTime))))
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const warnings: string[] = []
const log: Logger = { debug: () => {}, info: () => {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) }

async function engine(): Promise<Engine> {
  const e = await Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg, log })
  engines.push(e)
  return e
}

/** Builds `count` blocks on the engine head; `salt` shifts their timestamps, so another salt gives another chain. */
async function extend(e: Engine, count: number, salt = 0): Promise<RpcBlock> {
  let parent = await e.head()
  for (let i = 0; i < count; i++) {
    const n = Number(parent.number) + 1
    const ts = Number(parent.timestamp) + 1 + salt
    parent = (await e.build(parent, ts, [l1InfoTx(cfg, origin, n, ts)])).block
  }
  return parent
}

/** A node's heads as persistence reads them, over engine `e`. */
class Host implements PersistenceHost {
  readonly cfg = cfg
  readonly log = log
  readonly l1 = { isCanonical: async () => true } as unknown as L1Source
  readonly derivation = { records: [] }
  unsafe!: L2BlockRef
  safe!: L2BlockRef
  finalized!: L2BlockRef
  constructor(readonly engine: Engine) {}
  /** Sets unsafe and safe to the engine head, and finalized to block `finalized`. */
  async heads(finalized: number): Promise<void> {
    this.unsafe = this.safe = (await this.engine.refByNumber(Number((await this.engine.head()).number)))!
    this.finalized = (await this.engine.refByNumber(finalized))!
  }
}

/**
 * A data directory whose floor snapshot has its head at block 3 and whose latest has its head at `head`
 * (all on one chain): saved with finalized 0 at block 3, with finalized 3 at block 4 (the promotion), and
 * at `head`. Returns the latest chain's blocks by number.
 */
async function floorAt3(dataDir: string, head: number): Promise<{ e: Engine; host: Host; persistence: Persistence }> {
  const e = await engine()
  const host = new Host(e)
  const persistence = new Persistence(dataDir, host)
  await extend(e, 3)
  await host.heads(0)
  await persistence.save()
  await extend(e, 1)
  await host.heads(3)
  await persistence.save()
  expect(readSnapshot(dataDir, () => {}, 'floor')?.head?.number).toBe(3)
  if (head > 4) {
    await extend(e, head - 4)
    await host.heads(3)
    await persistence.save()
  }
  return { e, host, persistence }
}

/** Resumes `dataDir` on a fresh engine, as a restarted node does. */
async function resume(dataDir: string, maxReplayBlocks?: number) {
  const fresh = await engine()
  const resumed = await new Persistence(dataDir, new Host(fresh), maxReplayBlocks).resume(cfg.genesis.l2.hash)
  if (!resumed) throw new Error('no snapshot resumed')
  return { fresh, resumed }
}

describe('Persistence.resume', () => {
  test('default: the blocks above the floor are rebuilt, so the engine can roll back to the floor', async () => {
    const d = join(dir, 'happy')
    const { e } = await floorAt3(d, 6)
    const latest = await e.head()
    const { fresh, resumed } = await resume(d)
    expect(resumed.rebuild).toEqual({ floor: 3, replayed: 3 })
    expect(resumed.head.hash).toBe(latest.hash)
    await fresh.rewindTo(3) // the states below the loaded head exist again
    expect((await fresh.head()).number).toBe('0x3')
  })

  test('behavior: a floor that is not on the latest chain is ignored and deleted; the latest dump resumes alone', async () => {
    const d = join(dir, 'off-chain')
    const { e, host, persistence } = await floorAt3(d, 4)
    const floorHash = readSnapshot(d, () => {}, 'floor')!.head!.hash
    await e.rewindTo(1)
    const reorged = await extend(e, 4, 1)
    await host.heads(1)
    await persistence.save()
    warnings.length = 0
    const { fresh, resumed } = await resume(d)
    expect(resumed.rebuild).toEqual({ kept: 'floor not on the chain' })
    expect((await fresh.blockByNumber(3))?.hash).not.toBe(floorHash)
    expect(resumed.head.hash).toBe(reorged.hash)
    expect(existsSync(snapshotPath(d, 'floor'))).toBe(false)
    expect(warnings).toContain('floor snapshot is not on the latest chain: ignored')
  })

  test('behavior: more blocks above the floor than the limit keeps the latest dump alone', async () => {
    const d = join(dir, 'too-long')
    const { e } = await floorAt3(d, 6)
    const { fresh, resumed } = await resume(d, 2)
    expect(resumed.rebuild).toEqual({ kept: '3 blocks above the floor' })
    expect(resumed.head.hash).toBe((await e.head()).hash)
    await expect(fresh.rewindTo(3)).rejects.toThrow(/cannot roll back/)
  })

  test('error: a rebuilt block that comes out different falls back to the latest dump alone', async () => {
    const d = join(dir, 'replay-fails')
    const { e } = await floorAt3(d, 6)
    // The floor file names block 3 of the latest chain but holds another chain's state.
    const other = await engine()
    await extend(other, 3, 2)
    const floor = readSnapshot(d, () => {}, 'floor')!
    writeFileSync(snapshotPath(d, 'floor'), JSON.stringify({ ...floor, engineState: await other.dumpState() }))
    warnings.length = 0
    const { fresh, resumed } = await resume(d)
    expect(resumed.rebuild).toEqual({ kept: 'replay failed' })
    expect(warnings).toContain('rebuilding the blocks above the floor failed: resuming on the latest snapshot alone')
    expect((await fresh.head()).hash).toBe((await e.head()).hash)
    expect((await fresh.blockByNumber(4))?.hash).toBe((await e.blockByNumber(4))?.hash)
  })
})

describe('Persistence floor', () => {
  test('behavior: a pending floor that an unsafe reorg replaced is dropped, not promoted', async () => {
    const d = join(dir, 'pending-reorged')
    const e = await engine()
    const host = new Host(e)
    const persistence = new Persistence(d, host)
    await extend(e, 3)
    await host.heads(0)
    await persistence.save()
    expect(readSnapshot(d, () => {}, 'pending')?.head?.number).toBe(3)
    await e.rewindTo(1)
    const head = await extend(e, 3, 1)
    await host.heads(3) // finality reaches number 3, on the other chain
    await persistence.save()
    expect(existsSync(snapshotPath(d, 'floor'))).toBe(false)
    expect(readSnapshot(d, () => {}, 'pending')?.head?.hash).toBe(head.hash)
    // Once finality passes that one, it is promoted.
    await extend(e, 1, 1)
    await host.heads(4)
    await persistence.save()
    expect(readSnapshot(d, () => {}, 'floor')?.head?.hash).toBe(head.hash)
  })
})

describe('Persistence cadence', () => {
  test('args: snapshotWait is 20 times the shorter of the last two dumps, at least 250 ms, with no cap', () => {
    expect(snapshotWait([])).toBe(250)
    expect(snapshotWait([5])).toBe(250)
    expect(snapshotWait([40, 300])).toBe(800)
    expect(snapshotWait([300, 40])).toBe(800)
    // A long chain's dumps space snapshots out instead of taking a growing share of a core.
    expect(snapshotWait([3000, 3100])).toBe(60_000)
  })

  test('behavior: a new finalized head the latest dump holds is saved with that dump; one above it, or after a reorg of its head, dumps again', async () => {
    const d = join(dir, 'finalized-reuse')
    const e = await engine()
    const host = new Host(e)
    const persistence = new Persistence(d, host)
    const dumps = vi.spyOn(e, 'dumpState')
    await extend(e, 4)
    await host.heads(0)
    await persistence.save()
    const first = readSnapshot(d, () => {})!
    expect(dumps).toHaveBeenCalledTimes(1)

    await persistence.saveFinalized((await e.refByNumber(3))!)
    expect(dumps).toHaveBeenCalledTimes(1)
    const reused = readSnapshot(d, () => {})!
    expect([reused.finalized.number, reused.head, reused.engineState]).toEqual([3, first.head, first.engineState])
    // It resumes like any snapshot: a restarted node keeps finality at 3 (on a copy: a resume tidies its directory).
    cpSync(d, `${d}-copy`, { recursive: true })
    expect((await resume(`${d}-copy`)).resumed.finalized.number).toBe(3)

    await extend(e, 2)
    await host.heads(3)
    await persistence.saveFinalized((await e.refByNumber(5))!)
    expect(dumps).toHaveBeenCalledTimes(2)
    expect(readSnapshot(d, () => {})!.head?.number).toBe(6)

    // An unsafe reorg replaces the dump's head (block 6): the dump no longer matches the engine's chain.
    await e.rewindTo(5)
    await extend(e, 1, 1)
    await host.heads(5)
    await persistence.saveFinalized((await e.refByNumber(5))!)
    expect(dumps).toHaveBeenCalledTimes(3)
    expect(readSnapshot(d, () => {})!.head?.hash).toBe((await e.head()).hash)
  })
})

describe('rawDeposit', () => {
  test('error: deposit fields that do not encode to their hash are refused', async () => {
    const e = await engine()
    const from = devKeys(topology).accounts[3].address
    const deposit = encodeDepositTx({ sourceHash: userDepositSourceHash(origin.ref.hash, 0), from, to: from, mint: 5n, value: 1n, gas: 100_000n, isSystemTx: false, data: '0x' })
    const ts = genesisTime + 1
    const { block } = await e.build(await e.head(), ts, [l1InfoTx(cfg, origin, 0, ts), deposit])
    const tx = block.transactions[1] as unknown as Record<string, unknown>
    expect(rawDeposit(tx)).toBe(deposit)
    expect(() => rawDeposit({ ...tx, mint: '0x6' })).toThrow(/encode to another hash/)
    expect(() => rawDeposit({ ...tx, sourceHash: `0x${'00'.repeat(32)}` as Hex })).toThrow(/encode to another hash/)
  })
})

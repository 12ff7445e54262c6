import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keccak256, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { l2Genesis, rollupConfig } from '../../plan/genesis.js'
import { devKeys } from '../../plan/keys.js'
import { decodeDepositTx, encodeDepositTx, userDepositSourceHash } from '../../protocol/deposit.js'
import { anvilBinary } from '../../runtime/process/index.js'
import { defaultTopology } from '../../topology/index.js'
import { l1InfoTx } from './attributes.js'
import { Engine, type DroppedTx } from './engine.js'
import { Sequencer, type SequencerHost } from './sequencer.js'
import type { L1Block } from './l1.js'
import { logger } from '../shared/log.js'

const dir = mkdtempSync(join(tmpdir(), 'op-devnet-engine-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('Engine.build', () => {
  const topology = defaultTopology()
  const genesisTime = Math.floor(Date.now() / 1000)
  const genesisFile = join(dir, 'l2-genesis.json')
  const engines: Engine[] = []
  beforeAll(() => writeFileSync(genesisFile, JSON.stringify(l2Genesis(topology, genesisTime))))
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()))
  })

  test('behavior: a snapshot over 16 MiB (a long-running node\'s) dumps and loads: anvil\'s WebSocket refuses requests that large', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg: rollupConfig(topology, genesisTime), log: logger('test') })))
    engines.push(a, b)
    // 3 contracts of 8 MiB of random (incompressible) code: about 50 MiB of hex in the dump.
    const addresses = [1, 2, 3].map((i) => `0x${i.toString(16).padStart(40, '0')}` as Hex)
    for (const address of addresses) await a.rpc.call('anvil_setCode', [address, `0x${randomBytes(8 << 20).toString('hex')}`])
    const state = await a.dumpState()
    expect(state.length).toBeGreaterThan(17 << 20)
    await b.loadState(state)
    for (const address of addresses) expect(await b.rpc.call('eth_getCode', [address, 'latest'])).toBe(await a.rpc.call('eth_getCode', [address, 'latest']))
  }, 60_000)

  test('behavior: several deposits from one sender and a gas limit go into one block, the same on two engines', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg: rollupConfig(topology, genesisTime), log: logger('test') })))
    engines.push(a, b)
    const cfg = rollupConfig(topology, genesisTime)
    const origin = { ref: { hash: `0x${'ab'.repeat(32)}`, number: 1, parentHash: `0x${'cd'.repeat(32)}`, timestamp: genesisTime }, baseFeePerGas: 7n, mixHash: `0x${'00'.repeat(32)}`, transactions: [] } as L1Block
    const from = devKeys(topology).accounts[3].address
    const deposits: Hex[] = [
      l1InfoTx(cfg, origin, 0, genesisTime + 1),
      ...[0, 1, 2].map((i) =>
        encodeDepositTx({ sourceHash: userDepositSourceHash(origin.ref.hash, i), from, to: from, mint: BigInt(i + 1), value: 1n, gas: 100_000n, isSystemTx: false, data: '0x' }),
      ),
    ]
    const built = await Promise.all([a, b].map(async (e) => e.build(await e.head(), genesisTime + 1, deposits, undefined, 45_000_000)))
    expect(built[0].block.transactions.map((t) => t.hash)).toEqual(deposits.map((d) => keccak256(d)))
    expect(built[0].block.gasLimit).toBe('0x2aea540')
    expect(built[1].block.hash).toBe(built[0].block.hash)
    // Again, now that the sender's nonce is 3.
    const more = [l1InfoTx(cfg, origin, 1, genesisTime + 2), ...deposits.slice(1).map((d, i) => encodeDepositTx({ ...decodeDepositTx(d), sourceHash: userDepositSourceHash(origin.ref.hash, 10 + i) }))]
    const next = await Promise.all([a, b].map(async (e) => e.build(await e.head(), genesisTime + 2, more, undefined, 45_000_000)))
    expect(next[0].block.transactions.map((t) => t.hash)).toEqual(more.map((d) => keccak256(d)))
    expect(next[1].block.hash).toBe(next[0].block.hash)
  })

  test('behavior: a rewind hands the user txs of the dropped blocks to onDropped, oldest first; deposits stay out', async () => {
    const cfg = rollupConfig(topology, genesisTime)
    const e = await Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg, log: logger('test') })
    engines.push(e)
    const origin = { ref: { hash: `0x${'ab'.repeat(32)}`, number: 1, parentHash: `0x${'cd'.repeat(32)}`, timestamp: genesisTime }, baseFeePerGas: 7n, mixHash: `0x${'00'.repeat(32)}`, transactions: [] } as L1Block
    const account = privateKeyToAccount(devKeys(topology).accounts[4].privateKey)
    const tx = (nonce: number) => account.signTransaction({ chainId: topology.l2.chainId, to: account.address, value: 1n, nonce, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n })
    const start = await e.head()
    const raws = await Promise.all([0, 1, 2].map(tx))
    const one = await e.build(start, genesisTime + 1, [l1InfoTx(cfg, origin, 0, genesisTime + 1), raws[0]!])
    await e.build(one.block, genesisTime + 2, [l1InfoTx(cfg, origin, 1, genesisTime + 2), raws[1]!, raws[2]!])
    const dropped: DroppedTx[][] = []
    e.onDropped = async (r) => void dropped.push(r)
    await e.rewindTo(Number(start.number))
    expect(dropped).toEqual([raws.map((raw, nonce) => ({ raw, hash: keccak256(raw), from: account.address.toLowerCase(), nonce }))])
    await e.rewindTo(Number(start.number)) // nothing above: no call
    expect(dropped).toHaveLength(1)
  })

  test('behavior: through a rewind the sequencer\'s pending nonce never goes back: the dropped txs count from before the rollback until their requeue', async () => {
    const cfg = rollupConfig(topology, genesisTime)
    const e = await Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg, log: logger('test') })
    engines.push(e)
    const log = logger('test')
    const sequencer = new Sequencer({ engine: e, log, cfg, conf: { sequencer: { enabled: true, stopped: false } } } as unknown as SequencerHost)
    const origin = { ref: { hash: `0x${'ab'.repeat(32)}`, number: 1, parentHash: `0x${'cd'.repeat(32)}`, timestamp: genesisTime }, baseFeePerGas: 7n, mixHash: `0x${'00'.repeat(32)}`, transactions: [] } as L1Block
    const account = privateKeyToAccount(devKeys(topology).accounts[4].privateKey)
    const tx = (nonce: number, value = 1n) => account.signTransaction({ chainId: topology.l2.chainId, to: account.address, value, nonce, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n })
    const start = await e.head()
    const raws = await Promise.all([0, 1].map((n) => tx(n)))
    await e.build(start, genesisTime + 1, [l1InfoTx(cfg, origin, 0, genesisTime + 1), ...raws])
    expect(await sequencer.pendingNonce(account.address)).toBe(2)
    // Wired as the rollup node wires it; the nonce asked between the rollback and the requeue (the gap a
    // client fell into: it signed nonce 0 and got "nonce too low: next nonce 2").
    const between: number[] = []
    e.onDropping = (r) => sequencer.holdDropped(r)
    e.onDropped = async (r) => {
      between.push(Number(await e.rpc.call('eth_getTransactionCount', [account.address, 'latest'])), await sequencer.pendingNonce(account.address))
      await sequencer.requeue(r)
    }
    await e.rewindTo(Number(start.number))
    expect(between).toEqual([0, 2])
    expect(await sequencer.pendingNonce(account.address)).toBe(2)
    await expect(sequencer.submit(await tx(0))).rejects.toThrow(/^already known$/) // requeued: the pool holds it
    await expect(sequencer.submit(await tx(0, 2n))).rejects.toThrow('nonce too low: next nonce 2, tx nonce 0')
  })

  /** An engine whose genesis is 10 s old, so a sequencer's first block is due at once. */
  async function pastEngine() {
    const at = Math.floor(Date.now() / 1000) - 10
    const file = join(dir, `l2-genesis-${at}.json`)
    writeFileSync(file, JSON.stringify(l2Genesis(topology, at)))
    const cfg = rollupConfig(topology, at)
    const e = await Engine.start({ anvilBin: anvilBinary(), genesisFile: file, cfg, log: logger('test') })
    engines.push(e)
    return { e, cfg }
  }

  /** A sequencer on `e` whose first block is due at once, its L1 origin the genesis L1 block (no L1 reads). */
  async function dueSequencer(e: Engine, cfg: ReturnType<typeof rollupConfig>, engine: Partial<Engine>) {
    const origin = { ref: { hash: cfg.genesis.l1.hash, number: cfg.genesis.l1.number, parentHash: `0x${'00'.repeat(32)}`, timestamp: cfg.genesis.l2_time }, baseFeePerGas: 7n, mixHash: `0x${'00'.repeat(32)}`, transactions: [] } as L1Block
    const head = await e.head()
    return new Sequencer({
      engine: { rpc: e.rpc, ...engine }, cfg, log: logger('test'), conf: { sequencer: { enabled: true, stopped: false, l1Confs: 0 } },
      l1: { head: origin.ref, blockByNumber: async () => origin },
      unsafe: { hash: head.hash, number: 0, parentHash: head.parentHash, timestamp: cfg.genesis.l2_time, l1origin: { hash: origin.ref.hash, number: origin.ref.number }, sequenceNumber: 0 },
      unsafeBlock: head,
      derivedToL1Head: () => true,
      commit: async () => {},
      setUnsafe: () => {},
      publish: async () => {},
    } as unknown as SequencerHost)
  }

  test('behavior: a block that fails half-way keeps its txs: back in the pool, the sender\'s pending nonce does not go back', async () => {
    const { e, cfg } = await pastEngine()
    let builds = 0
    // The real engine, but each build fails as an engine call that timed out would.
    const sequencer = await dueSequencer(e, cfg, { build: async () => { builds++; throw new Error('engine call timed out') } })
    const account = privateKeyToAccount(devKeys(topology).accounts[4].privateKey)
    const tx = (nonce: number, value = 1n) => account.signTransaction({ chainId: topology.l2.chainId, to: account.address, value, nonce, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n })
    for (const nonce of [0, 1]) await sequencer.submit(await tx(nonce))
    expect(await sequencer.pendingNonce(account.address)).toBe(2)
    await expect(sequencer.step()).rejects.toThrow('engine call timed out')
    expect(builds).toBe(1)
    expect(await sequencer.pendingNonce(account.address)).toBe(2)
    await expect(sequencer.submit(await tx(0))).rejects.toThrow(/^already known$/) // the same tx, as op-geth answers
    await expect(sequencer.submit(await tx(0, 2n))).rejects.toThrow('nonce too low: next nonce 2, tx nonce 0')
    await sequencer.submit(await tx(2))
  })

  test('behavior: a block sealed while a client asks its pending nonce does not take the nonce back (the engine answered from before the block)', async () => {
    const { e, cfg } = await pastEngine()
    // The real engine; the answer to one `latest` nonce call is held back until the block is sealed.
    let release!: () => void
    let hold: Promise<void> | undefined
    const rpc = { call: async (method: string, params: unknown[]) => {
      const answer = await e.rpc.call(method, params)
      if (method === 'eth_getTransactionCount' && hold) await hold
      return answer
    } }
    const sequencer = await dueSequencer(e, cfg, { rpc: rpc as Engine['rpc'], build: e.build.bind(e) })
    const account = privateKeyToAccount(devKeys(topology).accounts[4].privateKey)
    await sequencer.submit(await account.signTransaction({ chainId: topology.l2.chainId, to: account.address, value: 1n, nonce: 0, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n }))
    hold = new Promise((r) => (release = r))
    const asked = sequencer.pendingNonce(account.address)
    await new Promise((r) => setTimeout(r, 200)) // the engine has answered 0
    hold = undefined
    expect(await sequencer.step()).toBe(true)
    expect(Number(await e.rpc.call('eth_getTransactionCount', [account.address, 'latest']))).toBe(1)
    release()
    expect(await asked).toBe(1)
  })

  test('behavior: past its deadline a build takes the deposits and one user tx; the other user txs are unsent, in order', async () => {
    const cfg = rollupConfig(topology, genesisTime)
    const e = await Engine.start({ anvilBin: anvilBinary(), genesisFile, cfg, log: logger('test') })
    engines.push(e)
    const origin = { ref: { hash: `0x${'ab'.repeat(32)}`, number: 1, parentHash: `0x${'cd'.repeat(32)}`, timestamp: genesisTime }, baseFeePerGas: 7n, mixHash: `0x${'00'.repeat(32)}`, transactions: [] } as L1Block
    const account = privateKeyToAccount(devKeys(topology).accounts[5].privateKey)
    const raws = await Promise.all([0, 1, 2].map((nonce) => account.signTransaction({ chainId: topology.l2.chainId, to: account.address, value: 1n, nonce, gas: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n })))
    const from = devKeys(topology).accounts[3].address
    const deposit = encodeDepositTx({ sourceHash: userDepositSourceHash(origin.ref.hash, 7), from, to: from, mint: 1n, value: 1n, gas: 100_000n, isSystemTx: false, data: '0x' })
    const txs = [l1InfoTx(cfg, origin, 0, genesisTime + 1), deposit, ...raws]
    const late = await e.build(await e.head(), genesisTime + 1, txs, undefined, undefined, Date.now() - 1)
    expect(late.block.transactions.map((t) => t.hash)).toEqual(txs.slice(0, 3).map((t) => keccak256(t)))
    expect(late.unsent).toBe(2)
    // The rest go into the next block; without a deadline every tx goes in.
    const next = await e.build(late.block, genesisTime + 2, [l1InfoTx(cfg, origin, 1, genesisTime + 2), ...raws.slice(1)])
    expect(next.unsent).toBe(0)
    expect(next.block.transactions.map((t) => t.hash).slice(1)).toEqual(raws.slice(1).map((t) => keccak256(t)))
  })
})

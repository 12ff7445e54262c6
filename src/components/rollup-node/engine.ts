/**
 * The node's execution client: its own anvil (`--network optimism --no-mining --order fifo`), driven
 * block by block. A block is built from an exact transaction list (deposits first) at an exact
 * timestamp and base fee, so every node that builds the same list on the same parent gets the same
 * block hash. anvil is not an Engine-API client; this class is the node's engine API.
 */
import type { ChildProcess } from 'node:child_process'
import type { Address, Hex } from 'viem'
import { DEPOSIT_TX_TYPE } from '../../protocol/constants.js'
import { decodeDepositTx, depositTxHash, encodeDepositTx } from '../../protocol/deposit.js'
import { decodeL1Info } from '../../protocol/l1Info.js'
import { nextBaseFee } from '../../protocol/eip1559.js'
import type { L2BlockRef, RollupConfig } from '../../protocol/types.js'
import type { OriginFields } from './attributes.js'
import { spawnEngineAnvil, type SpawnedEngine } from './engineAnvil.js'
import { rpcClient, type RpcClient } from '../shared/jsonrpc.js'
import { wsRpcClient, type WsRpcClient } from '../shared/wsRpc.js'
import type { Logger } from '../shared/log.js'

/** An `eth_getBlockByNumber(…, true)` result, as anvil returns it (hex strings). */
export interface RpcBlock {
  hash: Hex
  number: Hex
  parentHash: Hex
  timestamp: Hex
  gasLimit: Hex
  gasUsed: Hex
  baseFeePerGas: Hex
  transactions: Array<{ hash: Hex; type: Hex; input: Hex; from: Hex; to: Hex | null; nonce: Hex }>
  [key: string]: unknown
}

/** A user transaction of a block a rewind drops: its raw bytes, with the sender and nonce the engine read. */
export interface DroppedTx {
  raw: Hex
  hash: Hex
  from: Address
  nonce: number
}

export interface BuiltBlock {
  block: RpcBlock
  ref: L2BlockRef
  /** Indexes (in the input list) of non-deposit txs anvil refused; they are not in the block. */
  rejected: Array<{ index: number; error: string }>
  /** How many txs at the end of the list were left out because the build's deadline passed (see `build`). */
  unsent: number
}

/** L2 block ref of an anvil block: the L1 origin and sequence number come from its L1-info deposit. */
export function l2RefFromBlock(block: RpcBlock, cfg: RollupConfig): L2BlockRef {
  const number = Number(block.number)
  const base = { hash: block.hash, number, parentHash: block.parentHash, timestamp: Number(block.timestamp) }
  if (number === cfg.genesis.l2.number) return { ...base, l1origin: { ...cfg.genesis.l1 }, sequenceNumber: 0 }
  const first = block.transactions[0]
  if (!first || Number(first.type) !== 0x7e) throw new Error(`L2 block ${number} (${block.hash}) has no L1-info deposit first`)
  const info = decodeL1Info(first.input)
  return { ...base, l1origin: { hash: info.blockHash, number: Number(info.number) }, sequenceNumber: Number(info.sequenceNumber) }
}

/** anvil cannot roll back below the block its state was loaded at (no historical states there). */
export class EngineHistoryError extends Error {}

/** A block as the engine needs it to build the same block again (see {@link Engine.replay}). */
export interface ReplayBlock {
  hash: Hex
  timestamp: number
  gasLimit: number
  /** Raw transactions in block order, deposits first. */
  txs: Hex[]
}

interface EngineArgs {
  anvilBin: string
  genesisFile: string
  cfg: RollupConfig
  log: Logger
}

/**
 * Blocks `from` to `to` (inclusive) of the engine at `rpc`, with their raw transactions, to
 * {@link Engine.replay}. Deposits are encoded from their fields (anvil 1.x drops the connection and
 * exits when asked for a deposit's raw bytes after a state load), each checked against its hash.
 */
export async function replayBlocks(rpc: RpcClient, from: number, to: number): Promise<ReplayBlock[]> {
  const out: ReplayBlock[] = []
  // A few blocks at a time: hundreds of parallel requests make anvil reset connections.
  for (let start = from; start <= to; start += REPLAY_READ_BATCH) {
    const numbers = Array.from({ length: Math.min(REPLAY_READ_BATCH, to - start + 1) }, (_, i) => start + i)
    out.push(
      ...(await Promise.all(
        numbers.map(async (n) => {
          const b = await rpc.call<RpcBlock | null>('eth_getBlockByNumber', [`0x${n.toString(16)}`, true])
          if (!b) throw new Error(`engine has no block ${n}`)
          const txs = await Promise.all(b.transactions.map((t) => (Number(t.type) === DEPOSIT_TX_TYPE ? rawDeposit(t) : rpc.call<Hex>('eth_getRawTransactionByHash', [t.hash]))))
          return { hash: b.hash, timestamp: Number(b.timestamp), gasLimit: Number(b.gasLimit), txs }
        }),
      )),
    )
  }
  return out
}
const REPLAY_READ_BATCH = 8

/** The raw bytes of a deposit from its JSON-RPC fields, checked against its hash. */
export function rawDeposit(t: Record<string, unknown>): Hex {
  const raw = encodeDepositTx({
    sourceHash: t.sourceHash as Hex,
    from: t.from as Address,
    to: (t.to as Address | null) ?? null,
    mint: BigInt((t.mint as Hex | undefined) ?? 0),
    value: BigInt(t.value as Hex),
    gas: BigInt(t.gas as Hex),
    isSystemTx: t.isSystemTx === true,
    data: t.input as Hex,
  })
  if (depositTxHash(raw) !== t.hash) throw new Error(`deposit ${String(t.hash)}: its fields encode to another hash`)
  return raw
}


export class Engine {
  #rpc!: RpcClient
  /** The node's own calls (each engine step): over a WebSocket, one frame each way; {@link rpc} stays HTTP for the rest. */
  #driver!: WsRpcClient
  #child!: ChildProcess

  private constructor(
    spawned: SpawnedEngine,
    private readonly args: EngineArgs,
  ) {
    this.attach(spawned)
  }

  /** Talks to a newly spawned anvil from now on: both clients (the socket of the old one closed). */
  private attach(spawned: SpawnedEngine): void {
    this.#driver?.close()
    this.#rpc = rpcClient(`http://127.0.0.1:${spawned.port}`, 30_000)
    this.#driver = wsRpcClient(this.#rpc.url, 30_000)
    this.#child = spawned.child
    this.watch(spawned)
  }

  /** Spawns anvil with the L2 genesis, or takes the one the program spawned already, once it listens. */
  static async start(args: EngineArgs, spawned: Promise<SpawnedEngine> = spawnEngineAnvil(args.anvilBin, args.genesisFile)): Promise<Engine> {
    return new Engine(await spawned, args)
  }

  private watch({ child, stderrTail }: SpawnedEngine): void {
    // On 'close', not 'exit': its stdio is drained by then, so the stderr tail holds its last words.
    child.once('close', (code, signal) => {
      if (!this.stopping && child === this.#child) {
        // With its last stderr lines: why it died (a panic's message, an abort).
        this.args.log.error('execution engine (anvil) exited', { code, signal, stderr: stderrTail().join('\n') })
        process.exit(1)
      }
    })
  }

  /** The engine's RPC; a new client after {@link restartCold}. */
  get rpc(): RpcClient {
    return this.#rpc
  }

  private get log(): Logger {
    return this.args.log
  }

  private get cfg(): RollupConfig {
    return this.args.cfg
  }

  /** Replaces anvil by a fresh one holding only the genesis (a cold start). */
  async restartCold(): Promise<void> {
    const old = this.#child
    const spawned = await spawnEngineAnvil(this.args.anvilBin, this.args.genesisFile)
    this.attach(spawned)
    this.headNumber = undefined
    this.dirty = true
    this.gasLimit = undefined
    old.kill('SIGKILL')
  }

  /** `anvil_dumpState` without historical states: blocks, transactions and the latest state. */
  async dumpState(): Promise<Hex> {
    return this.#driver.call<Hex>('anvil_dumpState', [false])
  }

  /**
   * Loads a {@link dumpState} snapshot: the engine then holds its blocks and head state. Over HTTP: anvil
   * takes requests of any size there (`--no-request-size-limit`), while its WebSocket refuses frames over
   * 16 MiB, which a long-running node's snapshot can reach.
   */
  async loadState(state: Hex): Promise<void> {
    await this.rpc.call('anvil_loadState', [state])
    this.headNumber = undefined
    this.dirty = true
    this.gasLimit = undefined
  }

  private stopping = false
  /** Called after every head move: a block built on top, or a rewind. */
  onHeadChange: (() => void) | undefined
  /**
   * Called after a rewind with the user (non-deposit) transactions of the dropped blocks, oldest first:
   * op-geth puts them back in its pool on a reorg. Unset: they are not read.
   */
  onDropped: ((txs: DroppedTx[]) => Promise<void>) | undefined
  /**
   * Called before the rollback with the same transactions as {@link onDropped}: from the rollback until
   * they are back in a pool, the engine holds them nowhere, and a pending nonce must still count them.
   */
  onDropping: ((txs: DroppedTx[]) => void) | undefined
  /** Engine head number as last set by this class (only the node drives this anvil). */
  private headNumber: number | undefined
  /** Set when a build failed half-way: the next build first empties anvil's pool. */
  private dirty = true
  /** The block gas limit last given to anvil (`evm_setBlockGasLimit`); unknown after a (re)start or load. */
  private gasLimit: number | undefined

  get url(): string {
    return this.rpc.url
  }

  async blockByNumber(n: number | 'latest'): Promise<RpcBlock | null> {
    return this.#driver.call<RpcBlock | null>('eth_getBlockByNumber', [typeof n === 'number' ? `0x${n.toString(16)}` : n, true])
  }

  async blockByHash(hash: Hex): Promise<RpcBlock | null> {
    return this.#driver.call<RpcBlock | null>('eth_getBlockByHash', [hash, true])
  }

  async refByNumber(n: number): Promise<L2BlockRef | null> {
    const b = await this.blockByNumber(n)
    return b ? l2RefFromBlock(b, this.cfg) : null
  }

  async head(): Promise<RpcBlock> {
    const b = await this.blockByNumber('latest')
    if (!b) throw new Error('engine has no latest block')
    return b
  }

  /** Removes every block above `number` (anvil_rollback). */
  async rewindTo(number: number): Promise<void> {
    const head = this.headNumber ?? Number((await this.head()).number)
    if (head > number) {
      this.log.info('rewinding engine', { from: head, to: number })
      const dropped = this.onDropped ? await this.userTxsAbove(number, head) : []
      if (dropped.length) this.onDropping?.(dropped)
      try {
        await this.#driver.call('anvil_rollback', [head - number])
      } catch (err) {
        if (/Required data unavailable/i.test((err as Error).message)) {
          throw new EngineHistoryError(`engine cannot roll back to block ${number}: its state was loaded above it (${(err as Error).message})`)
        }
        throw err
      }
      this.headNumber = number
      this.onHeadChange?.()
      if (dropped.length) await this.onDropped?.(dropped)
    }
    this.headNumber = Math.min(head, number)
  }

  /**
   * Builds `blocks` again on the engine head, in order, and checks that each comes out with its
   * recorded hash: the engine then holds their states (a loaded dump holds only its head's).
   */
  async replay(blocks: ReplayBlock[]): Promise<void> {
    let parent = await this.head()
    for (const b of blocks) {
      const built = await this.build(parent, b.timestamp, b.txs, undefined, b.gasLimit)
      if (built.rejected.length) throw new Error(`replay of block ${Number(built.block.number)}: the engine refused tx ${built.rejected[0].index}: ${built.rejected[0].error}`)
      if (built.block.hash !== b.hash) throw new Error(`replay of block ${Number(built.block.number)} gave ${built.block.hash}, expected ${b.hash}`)
      parent = built.block
    }
  }

  /**
   * User transactions of blocks `from + 1` to `to`, in chain order. Sender and nonce come from the blocks:
   * recovering 100 senders takes about a second, and a rewind under load must not.
   */
  private async userTxsAbove(from: number, to: number): Promise<DroppedTx[]> {
    const blocks = await Promise.all(Array.from({ length: to - from }, (_, i) => this.blockByNumber(from + 1 + i)))
    const txs = blocks.flatMap((b) => (b?.transactions ?? []).filter((t) => Number(t.type) !== DEPOSIT_TX_TYPE))
    return Promise.all(txs.map(async (t) => ({ raw: await this.#driver.call<Hex>('eth_getRawTransactionByHash', [t.hash]), hash: t.hash, from: t.from, nonce: Number(t.nonce) })))
  }

  /**
   * Builds one block on `parent` (which must be, or become after a rewind, the engine head) holding
   * exactly `txs` in order at `timestamp`, with gas limit `gasLimit` (the system config's; absent: the
   * engine's current one). Deposits that fail abort the build; other refused txs are reported in
   * `rejected` and left out. With a `deadline` (wall ms), user txs stop going in once it passed, as op-geth
   * seals with what it executed when op-node asks for the payload; deposits always go in, and so does the
   * first user tx, so a block never stays empty. The txs left out are the last `unsent` of the list.
   */
  async build(parent: RpcBlock, timestamp: number, txs: Hex[], fields?: OriginFields, gasLimit?: number, deadline?: number): Promise<BuiltBlock> {
    const parentNumber = Number(parent.number)
    await this.rewindTo(parentNumber)
    if (this.dirty) await this.#driver.call('anvil_dropAllTransactions', [])
    this.dirty = true
    const baseFee = nextBaseFee({
      gasLimit: BigInt(parent.gasLimit),
      gasUsed: BigInt(parent.gasUsed),
      baseFeePerGas: BigInt(parent.baseFeePerGas),
    })
    await this.#driver.call('anvil_setNextBlockBaseFeePerGas', [`0x${baseFee.toString(16)}`])
    if (gasLimit !== undefined && gasLimit !== this.gasLimit) {
      await this.#driver.call('evm_setBlockGasLimit', [`0x${gasLimit.toString(16)}`])
      this.gasLimit = gasLimit
    }
    const rejected: BuiltBlock['rejected'] = []
    /** Deposits in this block per sender, and how many of them went in so far (see {@link send}). */
    const depositsBy = new Map<string, { total: number; sent: number }>()
    for (const raw of txs) {
      if (!raw.startsWith('0x7e')) continue
      const from = decodeDepositTx(raw).from.toLowerCase()
      depositsBy.set(from, { total: (depositsBy.get(from)?.total ?? 0) + 1, sent: 0 })
    }
    let end = txs.length
    let userSent = 0
    for (let i = 0; i < end; i++) {
      const deposit = txs[i].startsWith('0x7e')
      if (!deposit && deadline !== undefined && userSent > 0 && Date.now() >= deadline) {
        end = i
        break
      }
      if (!deposit) userSent++
      try {
        await this.send(txs[i], depositsBy)
      } catch (err) {
        if (txs[i].startsWith('0x7e')) throw new Error(`deposit ${i} refused by the engine: ${(err as Error).message}`)
        rejected.push({ index: i, error: (err as Error).message })
      }
    }
    await this.#driver.call('evm_mine', [{ timestamp, blocks: 1 }])
    this.headNumber = undefined
    const block = await this.head()
    this.headNumber = Number(block.number)
    if (block.parentHash !== parent.hash || Number(block.number) !== parentNumber + 1) {
      throw new Error(`engine built block ${Number(block.number)} on ${block.parentHash}, expected parent ${parent.hash}`)
    }
    const expected = end - rejected.length
    if (block.transactions.length !== expected) {
      const pool = await this.#driver.call('txpool_status', []).catch(() => undefined)
      throw new Error(`engine included ${block.transactions.length} of ${expected} txs (pool: ${JSON.stringify(pool)})`)
    }
    this.dirty = false
    if (fields) this.checkOriginFields(block, fields)
    this.onHeadChange?.()
    return { block, ref: l2RefFromBlock(block, this.cfg), rejected, unsent: txs.length - end }
  }

  /**
   * Submits one raw tx. anvil's pool keys a raw deposit by sender and a nonce of its own, so a second
   * deposit from the same sender in one block would "replace" the first (or wait for a nonce gap to
   * close). The deposits of a sender with several in the block go in through `eth_sendTransaction` with
   * explicit consecutive pool nonces from the sender's nonce instead (same fields, so the same tx and hash).
   */
  private async send(raw: Hex, depositsBy: Map<string, { total: number; sent: number }>): Promise<void> {
    const tx = raw.startsWith('0x7e') ? decodeDepositTx(raw) : undefined
    const mine = tx && depositsBy.get(tx.from.toLowerCase())
    if (!tx || !mine || mine.total < 2) {
      await this.#driver.call('eth_sendRawTransaction', [raw])
      return
    }
    const nonce = Number(await this.#driver.call<Hex>('eth_getTransactionCount', [tx.from, 'latest'])) + mine.sent++
    const hex = (n: bigint | number) => `0x${n.toString(16)}`
    await this.#driver.call('eth_sendTransaction', [
      { from: tx.from, ...(tx.to ? { to: tx.to } : {}), value: hex(tx.value), gas: hex(tx.gas), data: tx.data, input: tx.data, sourceHash: tx.sourceHash, mint: hex(tx.mint), isSystemTx: tx.isSystemTx, nonce: hex(nonce) },
    ])
  }

  private readonly unsettable = new Set<string>()

  /**
   * anvil takes no prevRandao or parentBeaconBlockRoot for the block it mines (see the README's
   * lite-profile limits): says so once per field when the block differs from its attributes.
   */
  private checkOriginFields(block: RpcBlock, fields: OriginFields): void {
    const wanted: Array<[string, Hex | undefined, unknown]> = [
      ['prevRandao', fields.prevRandao, block.mixHash],
      ['parentBeaconBlockRoot', fields.parentBeaconBlockRoot, block.parentBeaconBlockRoot],
    ]
    for (const [name, want, got] of wanted) {
      if (want === undefined || want === got || this.unsettable.has(name)) continue
      this.unsettable.add(name)
      this.log.warn(`the engine (anvil) cannot set ${name}: blocks keep anvil's own value`, { number: Number(block.number), want, got })
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    this.#driver.close()
    const child = this.#child
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
    await exited
    clearTimeout(timer)
  }
}

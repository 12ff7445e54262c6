/**
 * `eth_subscribe` over the L2 RPC's WebSocket, as op-geth serves it: `newHeads`, `logs` (address and
 * topic filters) and `newPendingTransactions` (hashes, or whole transactions). While any subscription is open, every head
 * move of the engine is diffed against the blocks already reported: blocks that left the chain send
 * their logs again with `removed: true`, then each new block is reported in order (its header to
 * `newHeads`, its matching logs to `logs`), so subscriptions follow unsafe reorgs.
 */
import { randomBytes } from 'node:crypto'
import { keccak256, type Hex } from 'viem'
import { rpcFail, type RpcClient, type RpcHandler, type RpcSession } from '../../shared/jsonrpc.js'
import { pendingTransactionJson } from './pendingTx.js'

/** `eth_subscribe("logs", filter)`: addresses (any of) and topics by position (null = any, array = any of). */
export interface LogFilter {
  address?: Hex | Hex[]
  topics?: Array<Hex | Hex[] | null>
}

export interface RpcLog {
  address: Hex
  topics: Hex[]
  blockHash: Hex
  blockNumber: Hex
  removed?: boolean
  [key: string]: unknown
}

interface HeaderJson {
  number: Hex
  hash: Hex
  parentHash: Hex
  [key: string]: unknown
}

type Kind = 'newHeads' | 'logs' | 'newPendingTransactions'
interface Subscription {
  kind: Kind
  session: RpcSession
  filter?: { addresses?: string[]; topics: Array<string[] | null> }
  /** `newPendingTransactions` with `true`: whole transactions instead of hashes. */
  full?: boolean
}

/** How many reported blocks are kept to diff against (deeper reorgs report from where the record ends). */
const KEPT_BLOCKS = 1024
const HEX_RE = /^0x[0-9a-fA-F]*$/

/** True when `log` passes `filter` (addresses lower-cased, topics per position). */
export function logMatches(log: Pick<RpcLog, 'address' | 'topics'>, filter: Subscription['filter']): boolean {
  if (!filter) return true
  if (filter.addresses && !filter.addresses.includes(log.address.toLowerCase())) return false
  return filter.topics.every((want, i) => want === null || (log.topics[i] !== undefined && want.includes(log.topics[i].toLowerCase())))
}

/** Checks and normalizes a `logs` filter; -32602 on malformed input. */
export function parseLogFilter(raw: unknown): Subscription['filter'] {
  if (raw === undefined || raw === null) return { topics: [] }
  if (typeof raw !== 'object' || Array.isArray(raw)) rpcFail(-32602, 'invalid argument 1: expected a filter object')
  const { address, topics } = raw as LogFilter
  const hex = (v: unknown, len: number, what: string): string => {
    if (typeof v !== 'string' || !HEX_RE.test(v) || v.length !== 2 + len * 2) rpcFail(-32602, `invalid argument 1: ${what} must be ${len}-byte hex, got ${JSON.stringify(v)}`)
    return v.toLowerCase()
  }
  const addresses = address === undefined || address === null ? undefined : (Array.isArray(address) ? address : [address]).map((a) => hex(a, 20, 'address'))
  if (topics !== undefined && topics !== null && !Array.isArray(topics)) rpcFail(-32602, 'invalid argument 1: topics must be an array')
  if ((topics?.length ?? 0) > 4) rpcFail(-32602, 'invalid argument 1: exceed max topics')
  const parsed = (topics ?? []).map((t) => (t === null ? null : (Array.isArray(t) ? t : [t]).map((x) => hex(x, 32, 'topic'))))
  return { ...(addresses ? { addresses } : {}), topics: parsed }
}

/** Subscriptions of one node's L2 RPC, fed by {@link headChanged} and {@link pendingTransaction}. */
export class Subscriptions {
  readonly #subs = new Map<Hex, Subscription>()
  /** Reported blocks by number, with their logs when a `logs` subscription was open. */
  readonly #chain = new Map<number, { hash: Hex; logs?: RpcLog[] }>()
  #lowest = 0
  #dirty = false
  #running: Promise<void> | undefined

  constructor(private readonly engine: RpcClient, private readonly onError: (err: Error) => void) {}

  /** The engine's head moved (built on, or rewound): report the difference, after earlier reports. */
  headChanged(): void {
    if (this.#subs.size === 0) return
    this.#dirty = true
    this.#running ??= this.#drain().finally(() => (this.#running = undefined))
  }

  /** A signed transaction entered this node's mempool (or was forwarded to the sequencer). */
  async pendingTransaction(raw: Hex): Promise<void> {
    const subs = [...this.#subs].filter(([, s]) => s.kind === 'newPendingTransactions')
    if (subs.length === 0) return
    const hash = keccak256(raw)
    const full = subs.some(([, s]) => s.full) ? await pendingTransactionJson(raw).catch((err: Error) => (this.onError(err), undefined)) : undefined
    for (const [id, s] of subs) s.session.notify('eth_subscription', { subscription: id, result: s.full ? (full ?? hash) : hash })
  }

  /** `eth_subscribe` / `eth_unsubscribe` bound to one WebSocket session. */
  methods(session: RpcSession): Record<string, RpcHandler> {
    const mine = new Set<Hex>()
    session.onClose(() => {
      for (const id of mine) this.#subs.delete(id)
    })
    return {
      eth_subscribe: async ([name, arg]) => {
        if (typeof name !== 'string') rpcFail(-32602, 'invalid argument 0: expected subscription name as first argument')
        if (name !== 'newHeads' && name !== 'logs' && name !== 'newPendingTransactions') rpcFail(-32601, `no ${JSON.stringify(name)} subscription in eth namespace`)
        const sub: Subscription = { kind: name, session, ...(name === 'logs' ? { filter: parseLogFilter(arg) } : {}), ...(name === 'newPendingTransactions' && arg === true ? { full: true } : {}) }
        if (this.#subs.size === 0) await this.#start()
        const id = `0x${randomBytes(16).toString('hex')}` as Hex
        this.#subs.set(id, sub)
        mine.add(id)
        return id
      },
      eth_unsubscribe: ([id]) => {
        if (typeof id !== 'string' || !mine.has(id as Hex)) rpcFail(-32000, 'subscription not found')
        mine.delete(id as Hex)
        return this.#subs.delete(id as Hex)
      },
    }
  }

  /** First subscription: start recording from the current head. */
  async #start(): Promise<void> {
    await this.#running
    this.#chain.clear()
    const head = await this.#block('latest')
    this.#lowest = Number(head!.number)
    this.#chain.set(this.#lowest, { hash: head!.hash })
  }

  async #drain(): Promise<void> {
    while (this.#dirty && this.#subs.size > 0) {
      this.#dirty = false
      try {
        await this.#sync()
      } catch (err) {
        this.onError(err as Error)
      }
    }
  }

  #block(tag: string): Promise<HeaderJson | null> {
    return this.engine.call<HeaderJson | null>('eth_getBlockByNumber', [tag, false])
  }

  async #sync(): Promise<void> {
    const head = await this.#block('latest')
    if (!head) return
    const added: HeaderJson[] = []
    let b: HeaderJson = head
    let ancestor: number
    for (;;) {
      const n = Number(b.number)
      if (this.#chain.get(n)?.hash === b.hash || n < this.#lowest) {
        ancestor = n
        break
      }
      added.unshift(b)
      if (n === 0 || this.#chain.get(n - 1)?.hash === b.parentHash) {
        ancestor = n - 1
        break
      }
      const parent = await this.#block(`0x${(n - 1).toString(16)}`)
      if (!parent || parent.hash !== b.parentHash) {
        this.#dirty = true // the chain moved under us: diff again
        return
      }
      b = parent
    }
    const removed = [...this.#chain.keys()].filter((n) => n > ancestor).sort((x, y) => x - y)
    for (const n of removed) {
      for (const log of this.#chain.get(n)!.logs ?? []) this.#emitLog({ ...log, removed: true })
      this.#chain.delete(n)
    }
    const wantLogs = [...this.#subs.values()].some((s) => s.kind === 'logs')
    for (const block of added) {
      const logs = wantLogs ? await this.engine.call<RpcLog[]>('eth_getLogs', [{ blockHash: block.hash }]) : undefined
      const n = Number(block.number)
      this.#chain.set(n, { hash: block.hash, ...(logs ? { logs } : {}) })
      this.#emit('newHeads', header(block))
      for (const log of logs ?? []) this.#emitLog(log)
    }
    for (const n of this.#chain.keys()) if (n <= Number(head.number) - KEPT_BLOCKS) this.#chain.delete(n)
    this.#lowest = Math.max(this.#lowest, Number(head.number) - KEPT_BLOCKS + 1)
  }

  #emit(kind: Kind, result: unknown): void {
    for (const [id, s] of this.#subs) if (s.kind === kind) s.session.notify('eth_subscription', { subscription: id, result })
  }

  #emitLog(log: RpcLog): void {
    for (const [id, s] of this.#subs) if (s.kind === 'logs' && logMatches(log, s.filter)) s.session.notify('eth_subscription', { subscription: id, result: log })
  }
}

/** A block as `newHeads` sends it: the header fields, without transactions, uncles and size. */
export function header(block: HeaderJson): HeaderJson {
  const { transactions: _t, uncles: _u, size: _s, totalDifficulty: _d, withdrawals: _w, ...rest } = block
  return rest as HeaderJson
}

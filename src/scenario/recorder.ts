/**
 * The recorder: samples every rollup node's `optimism_syncStatus` (and `admin_sequencerActive`), the
 * L1 head, block hashes at the nodes' common safe head, and output roots (reported by
 * `optimism_outputAtBlock` and recomputed from `eth_getProof` plus the block), user deposits (the portal's
 * logs on L1, and where each node's L2 holds them) and, with proxyd, its latest block and metrics into a
 * History; load steps record their client calls through it.
 * It only talks to the devnet's public RPC endpoints, so it works the same on lite and official.
 */
import { concat, keccak256, type Hex } from 'viem'
import type { Devnet } from '../devnet/started.js'
import type { SyncStatus } from '../protocol/types.js'
import { call } from '../faults/context.js'
import type { ClientCall, History, HistoryEvent } from '../devnet/history.js'
import { ConductorSampler } from './conductorSampler.js'
import { GameSampler, type HonestSource } from './gameSampler.js'
import { depositsOnL1, l2BlockOf } from './deposits.js'
import { StallWatch } from './stallWatch.js'

const MESSAGE_PASSER = '0x4200000000000000000000000000000000000016'
const ZERO32: Hex = `0x${'00'.repeat(32)}`
/**
 * A node that does not answer its sync status within this many wall ms (paused, overloaded) is skipped
 * in that round: 3 s of chain time, and never under 1 s of wall (a loaded machine answers late). A silent node holds a round this long,
 * so in chain time it must stay well under the liveness bounds (6 s by default): at speed 4, a 3 s wall
 * timeout spaced rounds 12 chain s apart, and a frozen replica went unseen.
 */
export function statusTimeoutMs(speed: number): number {
  return Math.max(1000, 3000 / speed)
}

interface BlockJson {
  hash: Hex
  stateRoot: Hex
}

export class Recorder {
  readonly history: History
  private timer: NodeJS.Timeout | undefined
  /** {@link statusTimeoutMs} at the devnet's speed. */
  private readonly timeoutMs: number
  /** The last sampling round asked for; rounds run one after another. */
  private running: Promise<void> = Promise.resolve()
  private rounds = 0
  /** Per node: the unsafe head of its previous sample and the reorgs seen so far. */
  private readonly lastUnsafe = new Map<string, { number: number; hash: Hex; reorgs: number }>()
  private readonly conductors: ConductorSampler
  private readonly games: GameSampler
  /** Highest L1 block scanned for deposits. */
  private depositScan = -1
  /** Per `node l2Hash`: the hash of the L2 block holding the deposit at the last observation, or null. */
  private readonly depositSeen = new Map<string, string | null>()
  /** Hashes of final L1 blocks, by number: read once each, as they no longer change. */
  private readonly finalL1Hashes = new Map<number, string>()
  /** Spans in which this process did not run (the host stalled), kept in `history.stalls`. */
  private readonly stallWatch = new StallWatch((wallMs) => this.sinceStart(wallMs))

  constructor(
    private readonly devnet: Devnet,
    scenario: string,
    private readonly sampleMs: number,
  ) {
    this.timeoutMs = statusTimeoutMs(devnet.clock.speed)
    this.history = {
      scenario,
      runtime: devnet.runtime.kind,
      startedAt: Date.now(),
      speed: devnet.clock.speed,
      nodes: [...devnet.topology.l2.nodes].sort((a, b) => (a.role === 'sequencer' ? -1 : b.role === 'sequencer' ? 1 : 0)).map((n) => n.name),
      samples: [],
      l1: [],
      agreement: [],
      outputs: [],
      events: [],
      proxyd: [],
      clients: [],
      l1Canonical: {},
      stalls: this.stallWatch.stalls,
      ...(devnet.contracts.l1.OptimismPortalProxy ? { deposits: { seqWindowSize: devnet.topology.l2.sequencingWindow, l1: [], onL2: [] } } : {}),
    }
    this.conductors = new ConductorSampler(devnet.topology, devnet.endpoints, this.history)
    this.games = new GameSampler(devnet, this.history)
  }

  /** Chain ms since the run started: wall elapsed × the devnet clock's speed (the history's `t`). */
  now(): number {
    return this.sinceStart(Date.now())
  }

  /** Sleeps `ms` of chain time (`ms / speed` wall). */
  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, Math.max(0, ms) / this.speed))
  }

  private get speed(): number {
    return this.history.speed ?? 1
  }

  private sinceStart(wallMs: number): number {
    return (wallMs - this.history.startedAt) * this.speed
  }

  record(event: Omit<HistoryEvent, 't'>): void {
    this.history.events.push({ t: this.now(), ...event })
  }

  /** Records a client call sent at wall-clock `sentAt` (ms since epoch), its times in chain ms. */
  recordCall({ sentAt, ...call }: Omit<ClientCall, 't'> & { sentAt: number }): void {
    this.history.clients.push({ t: this.sinceStart(sentAt), ...call, durationMs: call.durationMs * this.speed })
  }

  start(): void {
    this.stallWatch.start()
    const tick = async () => {
      await this.sample().catch(() => {})
      if (this.timer !== undefined) this.timer = setTimeout(tick, this.sampleMs / this.speed)
    }
    this.timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    this.stallWatch.stop()
    await this.running
  }

  /**
   * One sampling round, after any round still running: samples stay in time order. (A round of the timer
   * and one asked for by a fault step once overlapped on docker: the timer's round waited on a node being
   * started, got its answer after the fault step's round, and the history held the older `t` last.)
   */
  sample(): Promise<void> {
    const round = this.running.then(() => this.round())
    this.running = round.catch(() => {})
    return round
  }

  /** A node that does not answer (crashed, paused) is skipped. */
  private async round(): Promise<void> {
    const round = this.rounds++
    const { devnet, history } = this
    const t = this.now()
    const statuses = await Promise.all(
      history.nodes.map(async (node) => {
        const url = devnet.endpoints[node].rollup
        try {
          const [s, active] = await Promise.all([
            call<SyncStatus>(url, 'optimism_syncStatus', [], this.timeoutMs),
            call<boolean>(url, 'admin_sequencerActive', [], this.timeoutMs).catch(() => false),
          ])
          return { node, s, active }
        } catch {
          return undefined
        }
      }),
    )
    for (const r of statuses) {
      if (!r) continue
      const reorgs = await this.countReorg(r.node, r.s.unsafe_l2.number, r.s.unsafe_l2.hash)
      history.samples.push({
        t,
        node: r.node,
        unsafe: r.s.unsafe_l2,
        safe: r.s.safe_l2,
        finalized: r.s.finalized_l2,
        currentL1: r.s.current_l1,
        headL1: r.s.head_l1,
        finalizedL1: r.s.finalized_l1,
        sequencerActive: r.active,
        unsafeReorgs: reorgs,
      })
    }
    await Promise.all([this.sampleL1(t), this.sampleProxyd(t)])
    await this.conductors.sample(t, statuses.flatMap((r) => (r ? [{ node: r.node, active: r.active, unsafe: r.s.unsafe_l2.number }] : [])))
    if (round % 2 === 0) await this.games.sample(t, honestSource(statuses))
    const live = statuses.filter((r) => r !== undefined)
    // A node that did not answer its status (crashed, paused) is not asked anything else this round: a
    // paused one holds every call until its timeout, and a round of those took minutes (30 min soak).
    if (round % 2 === 0) await this.sampleDeposits(new Set(live.map((r) => r.node))).catch(() => {})
    if (live.length === 0) return
    const commonSafe = Math.min(...live.map((r) => r.s.safe_l2.number))
    if (live.length > 1 && round % 4 === 0) await this.sampleAgreement(t, live.map((r) => r.node), commonSafe)
    if (round % 8 === 0 && commonSafe > 0) await this.sampleOutputs(t, live.map((r) => r.node), commonSafe)
  }

  /** Compares the node's unsafe head with the previous sample's to count unsafe reorgs. */
  private async countReorg(node: string, number: number, hash: Hex): Promise<number> {
    const prev = this.lastUnsafe.get(node)
    let reorgs = prev?.reorgs ?? 0
    if (prev) {
      if (number < prev.number) reorgs++
      else if (number === prev.number ? hash !== prev.hash : (await this.hashAt(node, prev.number)) !== prev.hash) reorgs++
    }
    this.lastUnsafe.set(node, { number, hash, reorgs })
    return reorgs
  }

  private async finalL1Hash(number: number): Promise<string | undefined> {
    let hash = this.finalL1Hashes.get(number)
    if (hash === undefined) {
      const b = await call<BlockJson | null>(this.devnet.endpoints.l1.rpc, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, false], this.timeoutMs)
      if (!b) return undefined
      hash = b.hash
      this.finalL1Hashes.set(number, hash)
    }
    return hash
  }

  private async hashAt(node: string, number: number): Promise<Hex | undefined> {
    const b = await call<BlockJson | null>(this.devnet.endpoints[node].el, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, false], this.timeoutMs).catch(() => null)
    return b?.hash
  }

  private async sampleL1(t: number): Promise<void> {
    const url = this.devnet.endpoints.l1.rpc
    try {
      const ref = (b: { hash: Hex; number: Hex; parentHash: Hex; timestamp: Hex }) => ({ hash: b.hash, number: Number(b.number), parentHash: b.parentHash, timestamp: Number(b.timestamp) })
      const [head, safe, fin] = await Promise.all(['latest', 'safe', 'finalized'].map((tag) => call<any>(url, 'eth_getBlockByNumber', [tag, false])))
      this.history.l1.push({ t, head: ref(head), safe: ref(safe), finalized: ref(fin) })
    } catch {
      // L1 not answering (halted or paused): no sample
    }
  }

  /** proxyd's latest for clients and its metrics; nothing when the devnet has no proxyd or it does not answer. */
  private async sampleProxyd(t: number): Promise<void> {
    const endpoints = this.devnet.endpoints.proxyd
    if (!endpoints) return
    try {
      const [latest, text] = await Promise.all([
        call<Hex>(endpoints.rpc, 'eth_blockNumber', [], this.timeoutMs),
        fetch(`${endpoints.metrics}/metrics`, { signal: AbortSignal.timeout(this.timeoutMs) }).then((r) => r.text()),
      ])
      const { group, forwards } = parseProxydMetrics(text)
      const previous = this.history.proxyd.at(-1)
      const backsteps = (previous?.backsteps ?? 0) + (previous && Number(latest) < previous.latest ? 1 : 0)
      this.history.proxyd.push({ t, latest: Number(latest), group, forwards, backsteps })
    } catch {
      // proxyd down (crashed, paused): no sample
    }
  }

  private async sampleAgreement(t: number, nodes: string[], number: number): Promise<void> {
    const hashes: Record<string, string> = {}
    for (const node of nodes) {
      const b = await call<BlockJson | null>(this.devnet.endpoints[node].el, 'eth_getBlockByNumber', [`0x${number.toString(16)}`, false], this.timeoutMs).catch(() => null)
      if (b) hashes[node] = b.hash
    }
    if (Object.keys(hashes).length > 1) this.history.agreement.push({ t, number, hashes })
  }

  private async sampleOutputs(t: number, nodes: string[], number: number): Promise<void> {
    const n = `0x${number.toString(16)}`
    for (const node of nodes) {
      const { rollup, el } = this.devnet.endpoints[node]
      try {
        const block = await call<BlockJson | null>(el, 'eth_getBlockByNumber', [n, false], this.timeoutMs)
        if (!block) continue // rewound below `number` meanwhile (a reorg, a restart)
        // The proof by the block's hash (EIP-1898): by number it could be of a block that replaced this one.
        const [out, proof] = await Promise.all([
          call<{ outputRoot: Hex; blockRef: { hash: Hex } }>(rollup, 'optimism_outputAtBlock', [n], this.timeoutMs),
          call<{ storageHash: Hex }>(el, 'eth_getProof', [MESSAGE_PASSER, [], { blockHash: block.hash }], this.timeoutMs),
        ])
        if (out.blockRef.hash !== block.hash) continue // the chain moved between the calls
        const recomputed = keccak256(concat([ZERO32, block.stateRoot, proof.storageHash, block.hash]))
        this.history.outputs.push({ t, node, number, reported: out.outputRoot, recomputed, blockHash: block.hash })
      } catch {
        // node went away mid-round
      }
    }
  }

  /**
   * New deposits on L1 (the blocks above L1 finalized are read again: a reorg may have replaced them), then
   * where each node holds the deposits still in question: canonical ones some node lacks (until one holds
   * it and L1 finalized it), reorged-out ones some node still holds. Records only changes. Only nodes in
   * `answering` are asked, and a node that does not answer leaves it for the rest of the call.
   * `final` (the run's last look, once sampling stopped): every canonical deposit some node is not known to
   * hold, finalized or not, so each node's last observation is how the run ended (a replica slower than L1's
   * finality was otherwise left as never holding a deposit it had long since derived).
   */
  async sampleDeposits(answering: Set<string> = new Set(this.history.nodes), { final = false } = {}): Promise<void> {
    const { deposits } = this.history
    const l1 = this.history.l1.at(-1)
    if (!deposits || !l1) return
    const t = this.now()
    const finalized = l1.finalized.number
    const head = Number(await call<Hex>(this.devnet.endpoints.l1.rpc, 'eth_blockNumber'))
    const found = await depositsOnL1(this.devnet, Math.min(this.depositScan + 1, finalized + 1), head)
    this.depositScan = head
    const known = new Set(deposits.l1.map((d) => d.l2Hash))
    for (const d of found) if (!known.has(d.l2Hash)) deposits.l1.push({ t, ...d })
    const canonical = new Set<string>(found.map((d) => d.l2Hash))
    const held = (l2Hash: string) => this.history.nodes.filter((node) => this.depositSeen.get(`${node} ${l2Hash}`))
    for (const d of deposits.l1) {
      const holders = held(d.l2Hash).length
      // Above L1 finalized the scan re-read the chain; at or below it, a deposit some node holds is checked
      // against the final block once (a reorg just before finality replaced its block for good).
      const reorged = d.l1.number > finalized ? !canonical.has(d.l2Hash) : holders > 0 && (await this.finalL1Hash(d.l1.number)) !== d.l1.hash
      const open = reorged ? holders > 0 : holders < this.history.nodes.length && (final || holders === 0 || d.l1.number > finalized)
      if (!open) continue
      for (const node of this.history.nodes) {
        if (!answering.has(node)) continue
        const block = await l2BlockOf(this.devnet, node, d.l2Hash as Hex, this.timeoutMs).catch(() => undefined)
        if (block === undefined) {
          answering.delete(node) // it does not answer: not asked again about the other deposits this round
          continue
        }
        const key = `${node} ${d.l2Hash}`
        if (this.depositSeen.has(key) && this.depositSeen.get(key) === (block?.hash ?? null)) continue
        this.depositSeen.set(key, block?.hash ?? null)
        deposits.onL2.push({ t: this.now(), node, l2Hash: d.l2Hash, block })
      }
    }
  }

  /**
   * The run's last look at the dispute games, once sampling stopped: a game whose honest root no round read
   * (on a busy docker host the rounds' 3 s calls to the sequencer's rollup node timed out) gets it now, so
   * `proposalsValid` judges it rather than leaving it unjudged. Its long calls go to the first node that
   * answers its status at once (a paused sequencer held the last look for its whole 10 s).
   */
  async sampleGamesFinal(): Promise<void> {
    const statuses = await Promise.all(
      this.history.nodes.map((node) =>
        call<SyncStatus>(this.devnet.endpoints[node].rollup, 'optimism_syncStatus', [], this.timeoutMs).then(
          (s) => ({ node, s }),
          () => undefined,
        ),
      ),
    )
    await this.games.sample(this.now(), honestSource(statuses), 10_000)
  }

  /** Canonical L1 hashes of every L1 origin the samples mention and of every deposit's L1 block (once L1 settled). */
  async fillCanonical(): Promise<void> {
    const url = this.devnet.endpoints.l1.rpc
    const numbers = new Set<number>()
    for (const s of this.history.samples) numbers.add(s.safe.l1origin.number)
    for (const d of this.history.deposits?.l1 ?? []) numbers.add(d.l1.number)
    for (const n of numbers) {
      const b = await call<BlockJson | null>(url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]).catch(() => null)
      if (b) this.history.l1Canonical[n] = b.hash
    }
  }
}

/** The first node in `statuses` (the sequencer first) that answered, with its safe head. */
function honestSource(statuses: ReadonlyArray<{ node: string; s: SyncStatus } | undefined>): HonestSource | undefined {
  const first = statuses.find((r) => r !== undefined)
  return first && { node: first.node, safe: first.s.safe_l2.number }
}

/**
 * From proxyd's Prometheus text: `proxyd_group_consensus_count` (the first consensus group) and
 * `proxyd_rpc_forwards_total` summed per `backend_name`.
 */
export function parseProxydMetrics(text: string): { group: number; forwards: Record<string, number> } {
  const forwards: Record<string, number> = {}
  for (const m of text.matchAll(/^proxyd_rpc_forwards_total\{[^}]*backend_name="([^"]+)"[^}]*\} (\S+)$/gm)) forwards[m[1]] = (forwards[m[1]] ?? 0) + Number(m[2])
  const group = /^proxyd_group_consensus_count\{[^}]*\} (\S+)$/m.exec(text)
  return { group: group ? Number(group[1]) : 0, forwards }
}

/**
 * The recorder's dispute-game samples: every game of the devnet's DisputeGameFactory, re-read until it is
 * resolved, with the honest output root at its block from a rollup node that answered the round (the
 * sequencer's when it did), once that block is safe there. A sample is added to `history.games` whenever a
 * game changes.
 */
import type { Address, Hex } from 'viem'
import { readGameSamples } from '../devnet/games.js'
import type { GameSample, History } from '../devnet/history.js'
import type { Devnet } from '../devnet/started.js'
import { call } from '../faults/context.js'

/** The node that gives the honest output roots of a round, and its safe head then. */
export interface HonestSource {
  node: string
  safe: number
}

export class GameSampler {
  private readonly last = new Map<number, GameSample>()

  constructor(
    private readonly devnet: Devnet,
    private readonly history: History,
  ) {
    if (devnet.contracts?.l1?.DisputeGameFactoryProxy) history.games = []
  }

  /**
   * One round: new games and games in progress; an unreachable L1 skips the round. Honest roots come from
   * `source` (none without one: a round where no node answered reads the games alone); `timeoutMs` bounds
   * each call to its rollup node (a round must not hold up sampling; the run's last look can wait longer).
   */
  async sample(t: number, source: HonestSource | undefined, timeoutMs = 3000): Promise<void> {
    const factory = this.devnet.contracts?.l1?.DisputeGameFactoryProxy as Address | undefined
    if (!factory) return
    const open = [...this.last.values()].filter((g) => g.status === 'IN_PROGRESS' || g.honestRoot === undefined).map((g) => g.index)
    const from = Math.min(this.last.size, ...open)
    let rollup = source && this.devnet.endpoints[source.node]?.rollup
    const safe = source?.safe ?? -1
    try {
      const games = await readGameSamples(this.devnet.endpoints.l1.rpc, factory, from)
      for (const game of games) {
        // An L1 reorg can replace the game at an index (at the same address) with another one.
        const seen = this.last.get(game.index)
        const prev = seen && seen.rootClaim === game.rootClaim && seen.l2Block === game.l2Block && seen.createdAt === game.createdAt ? seen : undefined
        let honestRoot = prev?.honestRoot
        // Read again while the game is open: an L1 reorg can change the safe chain, and so the honest root.
        if ((honestRoot === undefined || game.status === 'IN_PROGRESS') && rollup && game.l2Block <= safe) {
          try {
            honestRoot = (await call<{ outputRoot: Hex }>(rollup, 'optimism_outputAtBlock', [`0x${game.l2Block.toString(16)}`], timeoutMs)).outputRoot
          } catch {
            rollup = undefined // it stopped answering: not asked again this round
          }
        }
        const next: GameSample = { t, ...game, ...(honestRoot ? { honestRoot } : {}) }
        if (prev && prev.status === next.status && prev.claims === next.claims && prev.rootCountered === next.rootCountered && prev.honestRoot === next.honestRoot) continue
        this.last.set(game.index, next)
        ;(this.history.games ??= []).push(next)
      }
    } catch {
      // L1 not answering (halted, paused): no game samples this round
    }
  }
}

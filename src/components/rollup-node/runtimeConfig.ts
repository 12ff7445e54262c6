/**
 * op-node's runtime config: the unsafe block signer as L1 holds it at its head, i.e. the last
 * UNSAFE_BLOCK_SIGNER `ConfigUpdate` (none yet: the configured signer). Reloaded on every new L1 head,
 * beside the driver loop as op-node does (its L1 reads would otherwise hold up derivation and unsafe
 * processing once per L1 block); an L1 reorg that removes the update brings the previous signer back.
 */
import type { Address } from 'viem'
import type { RollupConfig } from '../../protocol/types.js'
import type { L1Source } from './l1.js'
import { systemConfigAt } from './systemConfig.js'
import type { Logger } from '../shared/log.js'

export class RuntimeConfig {
  /** Set by {@link reload}; until then (and until L1 says otherwise) the configured signer. */
  private signer: Address | undefined
  private reloading: Promise<void> | undefined
  private again = false

  constructor(
    private readonly cfg: RollupConfig,
    private readonly l1: L1Source,
    private readonly configuredSigner: Address,
    private readonly log: Logger,
  ) {}

  /** The signer gossip blocks must carry. */
  get unsafeBlockSigner(): Address {
    return this.signer ?? this.configuredSigner
  }

  /** Reads the config at the L1 head now; a failed read keeps the signer. */
  async reload(): Promise<void> {
    try {
      const signer = (await systemConfigAt(this.cfg, this.l1, this.l1.head)).unsafeBlockSigner
      if (signer && signer !== this.unsafeBlockSigner) this.log.info('unsafe block signer changed', { from: this.unsafeBlockSigner, to: signer, l1: this.l1.head.number })
      this.signer = signer
    } catch (err) {
      this.log.warn('runtime config reload failed: keeping the unsafe block signer', { err: (err as Error).message })
    }
  }

  /** {@link reload} in the background: one at a time, and once more if L1 moved meanwhile. */
  schedule(): void {
    if (this.reloading) {
      this.again = true
      return
    }
    this.reloading = (async () => {
      do {
        this.again = false
        await this.reload()
      } while (this.again)
    })().finally(() => (this.reloading = undefined))
  }
}

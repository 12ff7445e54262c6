/**
 * The rollup's system config as L1 makes it: rollup.json's `genesis.system_config`, then every SystemConfig
 * `ConfigUpdate` log (version 0) up to and including an L1 block, as op-node's L1 traversal applies them:
 * BATCHER (batcher hash), GAS_CONFIG (overhead, scalar), GAS_LIMIT, UNSAFE_BLOCK_SIGNER. The config of an L1
 * block is what derivation reads that block's batcher transactions with and what L2 blocks with that L1
 * origin carry in their L1-info deposit.
 *
 * No database: configs are cached per L1 block hash and rebuilt from the nearest cached ancestor that is
 * still canonical (checked against `L1Source`, whose block cache a reset clears), so an L1 reorg that
 * removes an update removes it here too.
 */
import { getAddress, type Address, type Hex } from 'viem'
import { CONFIG_UPDATE_TOPIC } from '../../protocol/constants.js'
import type { L1BlockRef, RollupConfig } from '../../protocol/types.js'
import type { L1Source } from './l1.js'

/** The system config fields the lite node follows. */
export interface SystemConfig {
  batcherAddr: Address
  /** bytes32 */
  overhead: Hex
  /** bytes32 (version byte 0 or 1) */
  scalar: Hex
  gasLimit: number
  /** Unknown until an UNSAFE_BLOCK_SIGNER update (rollup.json does not carry it). */
  unsafeBlockSigner?: Address
}

/** `SystemConfig.UpdateType`. */
export const UPDATE_TYPE = { BATCHER: 0, GAS_CONFIG: 1, GAS_LIMIT: 2, UNSAFE_BLOCK_SIGNER: 3 } as const

interface Log {
  topics: Hex[]
  data: Hex
  blockNumber: Hex
  blockHash: Hex
  logIndex: Hex
}

/**
 * Applies one `ConfigUpdate` log to `config`; unknown versions or types and malformed data are ignored
 * (op-node drops such a log with a warning too), returning `config` unchanged.
 */
export function applyConfigUpdate(config: SystemConfig, log: Pick<Log, 'topics' | 'data'>): SystemConfig {
  if (log.topics[0]?.toLowerCase() !== CONFIG_UPDATE_TOPIC || log.topics.length !== 3 || BigInt(log.topics[1]) !== 0n) return config
  // data = abi.encode(bytes payload): offset, length, payload words.
  const body = log.data.slice(2)
  const word = (i: number): Hex => `0x${body.slice(64 * i, 64 * (i + 1))}`
  if (body.length < 128 || BigInt(word(0)) !== 32n) return config
  const length = Number(BigInt(word(1)))
  const payload = (i: number) => word(2 + i)
  const address = (w: Hex) => getAddress(`0x${w.slice(26)}`)
  switch (Number(BigInt(log.topics[2]))) {
    case UPDATE_TYPE.BATCHER:
      return length === 32 ? { ...config, batcherAddr: address(payload(0)) } : config
    case UPDATE_TYPE.GAS_CONFIG:
      return length === 64 ? { ...config, overhead: payload(0), scalar: payload(1) } : config
    case UPDATE_TYPE.GAS_LIMIT:
      return length === 32 ? { ...config, gasLimit: Number(BigInt(payload(0))) } : config
    case UPDATE_TYPE.UNSAFE_BLOCK_SIGNER:
      return length === 32 ? { ...config, unsafeBlockSigner: address(payload(0)) } : config
    default:
      return config
  }
}

interface Snapshot {
  ref: { number: number; hash: Hex }
  config: SystemConfig
}

/** Follows the system config of one rollup over one L1 source. */
export class SystemConfigTracker {
  private snapshots: Snapshot[] = []

  constructor(
    private readonly cfg: RollupConfig,
    private readonly l1: L1Source,
  ) {}

  private genesis(): Snapshot {
    const { system_config: sc, l1 } = this.cfg.genesis
    return {
      ref: { number: l1.number, hash: l1.hash },
      config: { batcherAddr: getAddress(sc.batcherAddr), overhead: sc.overhead, scalar: sc.scalar, gasLimit: sc.gasLimit },
    }
  }

  /** The system config after L1 block `ref` (its own updates included). */
  async at(ref: Pick<L1BlockRef, 'number' | 'hash'>): Promise<SystemConfig> {
    const hit = this.snapshots.find((s) => s.ref.hash === ref.hash)
    if (hit) return hit.config
    // The nearest cached ancestor still canonical (genesis otherwise).
    let base = this.genesis()
    for (let i = this.snapshots.length - 1; i >= 0; i--) {
      const s = this.snapshots[i]
      if (s.ref.number >= ref.number) continue
      const block = await this.l1.blockByNumber(s.ref.number)
      if (block?.ref.hash === s.ref.hash) {
        base = s
        break
      }
    }
    let config = base.config
    if (ref.number > base.ref.number) {
      const logs = await this.l1.rpc.call<Log[]>('eth_getLogs', [
        {
          address: this.cfg.l1_system_config_address,
          topics: [CONFIG_UPDATE_TOPIC],
          fromBlock: `0x${(base.ref.number + 1).toString(16)}`,
          toBlock: `0x${ref.number.toString(16)}`,
        },
      ])
      logs.sort((a, b) => Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)) || Number(BigInt(a.logIndex) - BigInt(b.logIndex)))
      for (const log of logs) {
        // A log from a block reorged away between the calls: start over next time.
        const block = await this.l1.blockByNumber(Number(BigInt(log.blockNumber)))
        if (block?.ref.hash !== log.blockHash) throw new Error(`L1 changed while reading system config updates at block ${Number(BigInt(log.blockNumber))}`)
        config = applyConfigUpdate(config, log)
      }
    }
    const tip = await this.l1.blockByNumber(ref.number)
    if (tip?.ref.hash !== ref.hash) throw new Error(`L1 block ${ref.number} ${ref.hash} is no longer canonical`)
    this.snapshots = [...this.snapshots.filter((s) => s.ref.number !== ref.number), { ref: { number: ref.number, hash: ref.hash }, config }]
      .sort((a, b) => a.ref.number - b.ref.number)
      .slice(-256)
    return config
  }
}

const trackers = new WeakMap<L1Source, SystemConfigTracker>()

/** The system config after L1 block `ref`, tracked per L1 source (one per rollup node). */
export function systemConfigAt(cfg: RollupConfig, l1: L1Source, ref: Pick<L1BlockRef, 'number' | 'hash'>): Promise<SystemConfig> {
  let tracker = trackers.get(l1)
  if (!tracker) {
    tracker = new SystemConfigTracker(cfg, l1)
    trackers.set(l1, tracker)
  }
  return tracker.at(ref)
}

/**
 * Configuration of the lite rollup node, written by the planner as `config.json` in the service's
 * directory and passed as `rollup-node config.json`.
 */
import type { Address, Hex } from 'viem'
import type { RollupConfig } from '../../protocol/types.js'
import type { ConductorSettings } from './conductor.js'
import type { DiscoveryConfig } from './discovery.js'
import type { PingLiveness } from './p2p.js'

export interface RollupNodeConfig {
  /** Service name, used in logs. */
  name: string
  /** rollup.json. `genesis.l1.hash` / `genesis.l2.hash` may be the zero hash: the node fills them in from L1 and its EL. */
  rollup: RollupConfig
  /** L1 execution RPC. */
  l1Rpc: string
  /**
   * The same L1 over WebSocket (op-node given a `ws://` `--l1`): the head also comes by `eth_subscribe
   * newHeads`, which wakes the driver at once (the head is still polled every `l1PollMs`).
   */
  l1Ws?: string
  /** Path (relative to the service dir) of the L2 genesis file for anvil `--init`. */
  l2Genesis: string
  /**
   * Data directory (relative to the service dir), op-geth's `--datadir`: the node keeps snapshots of its
   * engine and heads there and resumes from them after a crash or restart. Absent: in memory only.
   */
  dataDir?: string
  /** Address the servers bind to (`127.0.0.1` on the process runtime, `0.0.0.0` in containers). */
  host: string
  ports: {
    /** The L2 execution RPC users talk to (a proxy in front of the node's own anvil). */
    el: number
    /** The rollup node RPC (`optimism_*`, `admin_*`, `opp2p_*`). */
    rollup: number
    /** libp2p TCP port. */
    p2p: number
  }
  sequencer: {
    /** This node can sequence (`--sequencer.enabled`). */
    enabled: boolean
    /** Start with the sequencer stopped (`--sequencer.stopped`). */
    stopped: boolean
    /** L1 confirmations before adopting an L1 origin (`--sequencer.l1-confs`). */
    l1Confs: number
  }
  /** L1 confirmations before deriving from an L1 block (`--verifier.l1-confs`). */
  verifierL1Confs: number
  p2p: {
    /** secp256k1 identity key (hex, 32 bytes). */
    privateKey: Hex
    /** Static peers: multiaddrs with `/p2p/<peerId>`. */
    staticPeers: string[]
    /** The only address announced to peers (`--p2p.advertise.*`), e.g. `/dns4/<host>/tcp/<port>`; default: the listen address. */
    announce?: string
    /** Sequencer key that signs unsafe blocks; only nodes with `sequencer.enabled` get it. */
    sequencerKey?: Hex
    /** The unsafe block signer every node checks gossip against. */
    unsafeBlockSigner: Address
    /** How connections are pinged (see `P2PNodeOptions.liveness`); absent: libp2p's defaults. */
    liveness?: PingLiveness
    /** discv5 peer discovery (see discovery.ts); absent: `--p2p.no-discovery`, static peers only. */
    discovery?: DiscoveryConfig
  }
  /**
   * Replicas forward `eth_sendRawTransaction` here (the sequencer's EL endpoint). Several sequencers
   * (HA): comma-separated, with `sequencerRollupHttp` the same length; the node forwards to the one whose
   * `admin_sequencerActive` is true.
   */
  sequencerHttp?: string
  /** The rollup RPCs of `sequencerHttp`'s sequencers, comma-separated (only with several). */
  sequencerRollupHttp?: string
  /** op-conductor beside this sequencer (`--conductor.enabled`, `--conductor.rpc`, `--conductor.rpc-timeout`). */
  conductor?: ConductorSettings
  /** How often L1 `safe`/`finalized` are polled, ms (`--l1.epoch-poll-interval`). */
  l1EpochPollMs: number
  /** How often the L1 head is polled, ms. */
  l1PollMs: number
}

/** The data directory the planner gives every rollup node (inside its service directory). */
export const NODE_DATA_DIR = 'data'

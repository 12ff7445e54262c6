/**
 * The resolved topology: what the rest of the code trusts after `spec/` parsed, defaulted and
 * validated a `devnet.yaml`. Every field is present.
 */

/** OP Stack forks the lite profile follows, in activation order. */
export const FORKS = ['regolith', 'canyon', 'delta', 'ecotone', 'fjord', 'granite'] as const
export type ForkName = (typeof FORKS)[number]

export type NodeRole = 'sequencer' | 'replica'

export interface NodeSpec {
  /** Unique service name, e.g. `sequencer`, `replica-0`. */
  name: string
  role: NodeRole
  /** Static p2p peers, by node name. */
  peers: string[]
  /** L1 confirmation depth: the sequencer's origin lag, or a replica's derivation lag. */
  l1Confs: number
  /**
   * A replica that can take over sequencing (failover): it holds the sequencer key and runs with its
   * sequencer enabled but stopped, and the batcher follows whichever node is actively sequencing.
   * Always true for the sequencer.
   */
  standby: boolean
}

export interface Topology {
  /** Devnet name; prefixes container names and the state directory. */
  name: string
  profile: 'lite' | 'official'
  l1: {
    chainId: number
    /** Seconds between L1 blocks. */
    blockTime: number
    /** `safe` = head - slots, `finalized` = head - 2 * slots. */
    slotsPerEpoch: number
  }
  l2: {
    chainId: number
    /** Seconds between L2 blocks. */
    blockTime: number
    /** `seq_window_size`, in L1 blocks. */
    sequencingWindow: number
    /** `channel_timeout`, in L1 blocks (Granite fixes it at 50 once active). */
    channelTimeout: number
    /** `max_sequencer_drift`, seconds (Fjord fixes it at 1800 once active). */
    maxSequencerDrift: number
    /** Fork activation, seconds after L2 genesis; a fork missing from the map is not scheduled. */
    forks: Partial<Record<ForkName, number>>
    nodes: NodeSpec[]
    /** op-conductor beside sequencer-capable nodes (see `topology/conductor.ts`). */
    conductor: ConductorSpec
    /**
     * How nodes find peers besides their static `peers`: `bootnodes` runs discv5 on every node with the
     * devnet's own bootnode (service `bootnode`) plus `bootnodes`; `static`: no discovery
     * (`--p2p.no-discovery`). A node never falls back to a public network's bootnodes.
     */
    discovery: 'bootnodes' | 'static'
    /** More bootnode records (`enr:…`) given to every node with `discovery: bootnodes`. */
    bootnodes: string[]
  }
  batcher: {
    /** Close a channel after this many L1 blocks. */
    maxChannelDuration: number
    /** Maximum frame data size in bytes (one frame per L1 tx). */
    maxFrameSize: number
    /** `singular`: one batch per L2 block (type 0); `span`: span batches (type 1, needs Delta at genesis). */
    batchType: 'singular' | 'span'
  }
  /** proxyd, the RPC front door in front of the nodes' L2 RPCs. */
  proxyd: {
    enabled: boolean
    /** A user's proxyd TOML used instead of the generated one (read and validated when the topology is loaded). */
    config?: { file: string; toml: string }
  }
  /** The L1 settlement contracts (fault proofs) and the proposer. */
  settlement: Settlement
  /** `stable`: the documented fixed ports; `auto`: free ports picked at start. */
  ports: 'stable' | 'auto'
  keys: {
    mnemonic: string
    /** HD index (m/44'/60'/0'/0/i) for each role. */
    roles: { admin: number; batcher: number; proposer: number; challenger: number; sequencer: number }
    /** Accounts 0..n-1 of the mnemonic are funded on L1 and L2. */
    fundedAccounts: number
  }
}

/** `l2.conductor`: a raft cluster (etcd) of op-conductors, one beside each sequencer-capable node. */
export interface ConductorSpec {
  enabled: boolean
  /** Nodes with a conductor (each must be able to sequence); `[]`: every sequencer-capable node. */
  nodes: string[]
  /** op-conductor's `--healthcheck.*`: seconds between checks, max unsafe head age (s), min connected peers. */
  healthcheck: { interval: number; unsafeInterval: number; minPeerCount: number }
}
/** L1 and L2 genesis balance of every funded dev account (the role keys among them): 10000 ETH. */
export const FUNDED_BALANCE_WEI = 10_000n * 10n ** 18n

/** Dispute game types the devnet registers in its DisputeGameFactory. */
export const GAME_TYPES = { FAST: 254, ALPHABET: 255 } as const
export type GameType = (typeof GAME_TYPES)[keyof typeof GAME_TYPES]

export interface Settlement {
  /** Game type the portal respects and the proposer creates: 255 ALPHABET or 254 FAST. */
  gameType: GameType
  /** OptimismPortal2 `PROOF_MATURITY_DELAY_SECONDS`: proven withdrawal to finalizable. */
  proofMaturityDelaySeconds: number
  /** OptimismPortal2 `DISPUTE_GAME_FINALITY_DELAY_SECONDS`: game resolved to usable for finalization. */
  disputeGameFinalityDelaySeconds: number
  /** Chess clock of each side of an ALPHABET game, seconds (FAST games have 0). */
  maxClockDuration: number
  /** Depth of the output-root bisection; max game depth is `splitDepth + 4`. */
  splitDepth: number
  /** Bond of a new game (`DisputeGameFactory.initBonds`), wei as a decimal string. */
  initBond: string
  /** Seconds between the proposer's games. */
  proposalIntervalSeconds: number
}

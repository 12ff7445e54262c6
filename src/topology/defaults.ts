import type { Topology } from './types.js'

/**
 * Every default of a `devnet.yaml`, in one place. A key missing from the file takes its value from
 * here. Treat as read-only; {@link defaultTopology} returns a copy you may change.
 */
export const defaults = {
  /** @default 'devnet' */
  name: 'devnet',
  /** @default 'lite' */
  profile: 'lite',
  l1: {
    /** @default 900 */
    chainId: 900,
    /** @default 2 */
    blockTime: 2,
    /** @default 2 */
    slotsPerEpoch: 2,
  },
  l2: {
    /** @default 901 */
    chainId: 901,
    /** @default 1 */
    blockTime: 1,
    /** @default 20 */
    sequencingWindow: 20,
    /** @default 50 */
    channelTimeout: 50,
    /** @default 1800 */
    maxSequencerDrift: 1800,
    /** Replaced as a whole when the file gives `l2.forks`. @default every fork active at genesis */
    forks: { regolith: 0, canyon: 0, delta: 0, ecotone: 0, fjord: 0, granite: 0 },
    /** Replaced as a whole when the file gives `l2.nodes` or `l2.replicas`. @default sequencer + replica-0 */
    nodes: [
      { name: 'sequencer', role: 'sequencer', peers: [], l1Confs: 0, standby: true },
      { name: 'replica-0', role: 'replica', peers: ['sequencer'], l1Confs: 0, standby: false },
    ],
    /** Off; when on, one conductor beside every sequencer-capable node. */
    conductor: { enabled: false, nodes: [], healthcheck: { interval: 1, unsafeInterval: 3, minPeerCount: 1 } },
    /** @default 'bootnodes' (one bootnode service) */
    discovery: 'bootnodes',
    /** @default [] */
    bootnodes: [],
  },
  batcher: {
    /** @default 1 */
    maxChannelDuration: 1,
    /** @default 120000 */
    maxFrameSize: 120_000,
    /** op-batcher's default (`--batch-type=0`). @default 'singular' */
    batchType: 'singular',
  },
  proxyd: {
    /** @default true */
    enabled: true,
  },
  settlement: {
    /** @default 255 (ALPHABET) */
    gameType: 255,
    /** @default 2 */
    proofMaturityDelaySeconds: 2,
    /** @default 2 */
    disputeGameFinalityDelaySeconds: 2,
    /** @default 10 */
    maxClockDuration: 10,
    /** @default 14 */
    splitDepth: 14,
    /** @default 0.08 ether */
    initBond: '80000000000000000',
    /** @default 6 */
    proposalIntervalSeconds: 6,
  },
  /** @default 'stable' */
  ports: 'stable',
  keys: {
    /** @default 'test test test test test test test test test test test junk' */
    mnemonic: 'test test test test test test test test test test test junk',
    /** Merged key by key with `keys.roles` from the file. */
    roles: {
      /** @default 0 */
      admin: 0,
      /** @default 1 */
      batcher: 1,
      /** @default 2 */
      proposer: 2,
      /** @default 3 */
      challenger: 3,
      /** @default 4 */
      sequencer: 4,
    },
    /** @default 10 */
    fundedAccounts: 10,
  },
} satisfies Topology

/** The topology used when no `devnet.yaml` is given: a deep copy of {@link defaults}. */
export function defaultTopology(): Topology {
  return structuredClone(defaults)
}

/**
 * op-proposer's command line (flag names and `OP_PROPOSER_*` environment variables), for the fault-proof
 * path only (`--game-factory-address`; the legacy `--l2oo-address` is refused). `--rpc.enable-admin` is
 * accepted; the admin methods are always served, as the devnet needs them.
 */
import { Command, Option } from 'commander'
import { isAddress, isHex, type Address, type Hex } from 'viem'
import { bool, parseDuration, uint } from '../shared/flags.js'

export interface ProposerConfig {
  l1EthRpc: string
  /** `--rollup-rpc`, comma-separated: with several, the one whose sequencer is active is followed. */
  rollupRpc: string[]
  /** `--active-sequencer-check-duration`, ms: how long an active rollup node is used before asking again. */
  activeSequencerCheckMs: number
  gameFactoryAddress: Address
  gameType: number
  /** `--proposal-interval`, ms: at most one game of this proposer per interval. */
  proposalIntervalMs: number
  /** `--poll-interval`, ms. */
  pollIntervalMs: number
  /** Propose the safe head instead of the finalized one. */
  allowNonFinalized: boolean
  privateKey: Hex
  rpc: { addr: string; port: number }
  /** `--metrics.*`: Prometheus `GET /metrics` (op-proposer's names) on addr:port. */
  metrics: { enabled: boolean; addr: string; port: number }
  /** Start with proposing stopped (`admin_startProposer` starts it; a lite extension, like op-batcher's `--stopped`). */
  stopped: boolean
}

const env = (name: string) => `OP_PROPOSER_${name}`
const REQUIRED = ['l1-eth-rpc', 'rollup-rpc', 'private-key']

/** The commander program (flags declared once, with their environment variables). */
export function proposerCommand(): Command {
  const o = (flags: string, desc: string, envName: string) => new Option(flags, desc).env(env(envName))
  return new Command('proposer')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .addOption(o('--l1-eth-rpc <url>', 'L1 RPC', 'L1_ETH_RPC'))
    .addOption(o('--rollup-rpc <urls>', 'rollup node RPC(s), comma-separated: the active sequencer\'s is followed', 'ROLLUP_RPC'))
    .addOption(o('--active-sequencer-check-duration <duration>', 'how often to re-check which rollup node sequences', 'ACTIVE_SEQUENCER_CHECK_DURATION').default('2m'))
    .addOption(o('--game-factory-address <address>', 'DisputeGameFactoryProxy address', 'GAME_FACTORY_ADDRESS'))
    .addOption(o('--l2oo-address <address>', 'legacy L2OutputOracle (not supported by the lite proposer)', 'L2OO_ADDRESS'))
    .addOption(o('--game-type <n>', 'dispute game type to create', 'GAME_TYPE').default(0).argParser(uint('--game-type')))
    .addOption(o('--proposal-interval <duration>', 'interval between proposals', 'PROPOSAL_INTERVAL').default('0s'))
    .addOption(o('--poll-interval <duration>', 'polling interval', 'POLL_INTERVAL').default('6s'))
    .addOption(o('--allow-non-finalized [bool]', 'propose the safe head, not the finalized one', 'ALLOW_NON_FINALIZED').default(false).argParser(bool('--allow-non-finalized')))
    .addOption(o('--private-key <hex>', 'proposer key', 'PRIVATE_KEY'))
    .addOption(o('--rpc.addr <host>', 'RPC listen address', 'RPC_ADDR').default('0.0.0.0'))
    .addOption(o('--rpc.port <port>', 'RPC listen port', 'RPC_PORT').default(8545).argParser(uint('--rpc.port')))
    .addOption(o('--rpc.enable-admin [bool]', 'accepted; the admin API is always on', 'RPC_ENABLE_ADMIN').default(false).argParser(bool('--rpc.enable-admin')))
    .addOption(o('--metrics.enabled [bool]', 'serve Prometheus metrics', 'METRICS_ENABLED').default(false).argParser(bool('--metrics.enabled')))
    .addOption(o('--metrics.addr <host>', 'metrics listen address', 'METRICS_ADDR').default('0.0.0.0'))
    .addOption(o('--metrics.port <port>', 'metrics listen port', 'METRICS_PORT').default(7300).argParser(uint('--metrics.port')))
    .addOption(o('--stopped [bool]', 'start with proposing stopped', 'STOPPED').default(false).argParser(bool('--stopped')))
}

/** Parses op-proposer's flags (and environment) into a {@link ProposerConfig}; throws naming the flag on bad input. */
export function parseFlags(args: string[]): ProposerConfig {
  const cmd = proposerCommand()
  const fail = (message: string): never => {
    throw new Error(`proposer flags: ${message}`)
  }
  try {
    cmd.parse(args, { from: 'user' })
  } catch (err) {
    fail((err as Error).message.replace(/^error: /, ''))
  }
  const v: Record<string, any> = {}
  for (const opt of cmd.options) v[opt.long!.slice(2)] = cmd.getOptionValue(opt.attributeName())
  const missing = REQUIRED.filter((k) => v[k] === undefined)
  if (missing.length) fail(`missing required flag(s) ${missing.map((k) => `--${k}`).join(', ')}`)
  if (v['l2oo-address'] !== undefined) fail('--l2oo-address: the legacy L2OutputOracle is not supported; use --game-factory-address')
  if (v['game-factory-address'] === undefined) fail('missing required flag --game-factory-address')
  if (!isAddress(v['game-factory-address'])) fail(`--game-factory-address: expected an address, got "${v['game-factory-address']}"`)
  const rollupRpc = String(v['rollup-rpc']).split(',').map((u) => u.trim()).filter(Boolean)
  for (const [k, url] of [['l1-eth-rpc', v['l1-eth-rpc']], ...rollupRpc.map((u) => ['rollup-rpc', u])]) {
    if (!/^https?:\/\//.test(url)) fail(`--${k}: expected an http(s) URL, got "${url}"`)
  }
  if (!rollupRpc.length) fail('--rollup-rpc: expected at least one URL')
  if (!isHex(v['private-key']) || v['private-key'].length !== 66) fail('--private-key: expected 32 bytes of hex (0x...)')
  if (v['game-type'] >= 2 ** 32) fail(`--game-type: expected a uint32, got ${v['game-type']}`)
  const proposalIntervalMs = parseDuration('--proposal-interval', v['proposal-interval'])
  if (proposalIntervalMs <= 0) fail('--proposal-interval: must be greater than 0 with --game-factory-address')
  const pollIntervalMs = parseDuration('--poll-interval', v['poll-interval'])
  if (pollIntervalMs <= 0) fail('--poll-interval: must be greater than 0')
  return {
    l1EthRpc: v['l1-eth-rpc'],
    rollupRpc,
    activeSequencerCheckMs: parseDuration('--active-sequencer-check-duration', v['active-sequencer-check-duration']),
    gameFactoryAddress: v['game-factory-address'],
    gameType: v['game-type'],
    proposalIntervalMs,
    pollIntervalMs,
    allowNonFinalized: v['allow-non-finalized'],
    privateKey: v['private-key'],
    rpc: { addr: v['rpc.addr'], port: v['rpc.port'] },
    metrics: { enabled: v['metrics.enabled'], addr: v['metrics.addr'], port: v['metrics.port'] },
    stopped: v['stopped'],
  }
}

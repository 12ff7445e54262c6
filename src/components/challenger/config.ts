/**
 * op-challenger's command line (flag names and `OP_CHALLENGER_*` environment variables) for the lite
 * challenger. Supported trace types: `alphabet` (game type 255) and `fast` (254). Flags op-challenger has
 * for other trace types (`--cannon-*`, `--l1-beacon`, `--l2-eth-rpc`, `--datadir`) are accepted and unused.
 * The metrics server (`--metrics.*`, default 0.0.0.0:7300) answers `GET /metrics` (Prometheus),
 * `GET /healthz` and JSON-RPC (`challenger_status`, `health_status`).
 */
import { Command, Option } from 'commander'
import { getAddress, isAddress, isHex, type Address, type Hex } from 'viem'
import { bool, parseDuration, uint } from '../shared/flags.js'

/** Trace types the lite challenger plays, with their game types. */
export const TRACE_TYPES = { alphabet: 255, fast: 254 } as const
export type TraceType = keyof typeof TRACE_TYPES

export interface ChallengerConfig {
  l1Rpc: string
  rollupRpc: string
  factory: Address
  privateKey: Hex
  traceTypes: TraceType[]
  /** Games created longer ago than this are ignored, ms. */
  gameWindowMs: number
  pollMs: number
  /** Only these games, if given. */
  allowlist?: Address[]
  /** Credit is also claimed for these. */
  additionalClaimants: Address[]
  /** Resolve only the subgames whose bond may go to one of our claimants. */
  selectiveClaimResolution: boolean
  metrics: { enabled: boolean; addr: string; port: number }
}

const env = (name: string) => `OP_CHALLENGER_${name}`
const REQUIRED = ['l1-eth-rpc', 'rollup-rpc', 'game-factory-address', 'private-key']

/** The commander program (flags declared once, with their environment variables). */
export function challengerCommand(): Command {
  const o = (flags: string, desc: string, envName: string) => new Option(flags, desc).env(env(envName))
  return new Command('challenger')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .addOption(o('--l1-eth-rpc <url>', 'L1 RPC', 'L1_ETH_RPC'))
    .addOption(o('--rollup-rpc <url>', 'rollup node RPC', 'ROLLUP_RPC'))
    .addOption(o('--game-factory-address <address>', 'DisputeGameFactory proxy', 'GAME_FACTORY_ADDRESS'))
    .addOption(o('--private-key <hex>', 'challenger key', 'PRIVATE_KEY'))
    .addOption(o('--trace-type <types>', 'comma list: alphabet, fast', 'TRACE_TYPE').default('alphabet'))
    .addOption(o('--game-window <duration>', 'look-back window for games and bonds', 'GAME_WINDOW').default('672h'))
    .addOption(o('--http-poll-interval <duration>', 'L1 polling interval', 'HTTP_POLL_INTERVAL').default('12s'))
    .addOption(o('--game-allowlist <addresses>', 'only play these games (comma list)', 'GAME_ALLOWLIST'))
    .addOption(o('--additional-bond-claimants <addresses>', 'also claim credit for these (comma list)', 'ADDITIONAL_BOND_CLAIMANTS'))
    .addOption(o('--selective-claim-resolution [bool]', 'resolve only subgames with our bonds', 'SELECTIVE_CLAIM_RESOLUTION').default(false).argParser(bool('--selective-claim-resolution')))
    .addOption(o('--metrics.enabled [bool]', 'serve metrics, health and status', 'METRICS_ENABLED').default(false).argParser(bool('--metrics.enabled')))
    .addOption(o('--metrics.addr <host>', 'metrics listen address', 'METRICS_ADDR').default('0.0.0.0'))
    .addOption(o('--metrics.port <port>', 'metrics listen port', 'METRICS_PORT').default(7300).argParser(uint('--metrics.port')))
    .addOption(o('--l2-eth-rpc <url>', 'accepted, unused (alphabet needs no L2 EL)', 'L2_ETH_RPC'))
    .addOption(o('--l1-beacon <url>', 'accepted, unused', 'L1_BEACON'))
    .addOption(o('--datadir <dir>', 'accepted, unused (the lite challenger keeps no state)', 'DATADIR'))
    .addOption(o('--num-confirmations <n>', 'accepted, unused (one confirmation)', 'NUM_CONFIRMATIONS'))
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])

function addresses(flag: string, v: string | undefined): Address[] {
  return list(v).map((a) => {
    if (!isAddress(a, { strict: false })) throw new Error(`challenger flags: ${flag}: "${a}" is not an address`)
    return getAddress(a)
  })
}

/** Parses op-challenger's flags (and environment) into a {@link ChallengerConfig}; throws naming the flag on bad input. */
export function parseChallengerFlags(args: string[]): ChallengerConfig {
  const cmd = challengerCommand()
  try {
    cmd.parse(args, { from: 'user' })
  } catch (err) {
    throw new Error(`challenger flags: ${(err as Error).message.replace(/^error: /, '')}`)
  }
  const v: Record<string, any> = {}
  for (const opt of cmd.options) v[opt.long!.slice(2)] = cmd.getOptionValue(opt.attributeName())
  const missing = REQUIRED.filter((k) => v[k] === undefined)
  if (missing.length) throw new Error(`challenger flags: missing required flag(s) ${missing.map((k) => `--${k}`).join(', ')}`)
  for (const k of ['l1-eth-rpc', 'rollup-rpc']) {
    if (!/^https?:\/\//.test(v[k])) throw new Error(`challenger flags: --${k}: expected an http(s) URL, got "${v[k]}"`)
  }
  const [factory] = addresses('--game-factory-address', v['game-factory-address'])
  const key = String(v['private-key']).startsWith('0x') ? v['private-key'] : `0x${v['private-key']}`
  if (!isHex(key) || key.length !== 66) throw new Error('challenger flags: --private-key: expected 32 bytes of hex')
  const traceTypes = list(v['trace-type'])
  for (const t of traceTypes) {
    if (!(t in TRACE_TYPES)) throw new Error(`challenger flags: --trace-type: "${t}" is not supported by the lite challenger; expected ${Object.keys(TRACE_TYPES).join(', ')}`)
  }
  if (!traceTypes.length) throw new Error('challenger flags: --trace-type: expected at least one trace type')
  const allowlist = addresses('--game-allowlist', v['game-allowlist'])
  return {
    l1Rpc: v['l1-eth-rpc'],
    rollupRpc: v['rollup-rpc'],
    factory,
    privateKey: key as Hex,
    traceTypes: traceTypes as TraceType[],
    gameWindowMs: parseDuration('--game-window', v['game-window']),
    pollMs: parseDuration('--http-poll-interval', v['http-poll-interval']),
    ...(allowlist.length ? { allowlist } : {}),
    additionalClaimants: addresses('--additional-bond-claimants', v['additional-bond-claimants']),
    selectiveClaimResolution: v['selective-claim-resolution'],
    metrics: { enabled: v['metrics.enabled'], addr: v['metrics.addr'], port: v['metrics.port'] },
  }
}

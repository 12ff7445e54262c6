/**
 * The descriptor of a running devnet: what `devnet status --json` prints and what `<stateDir>/devnet.json`
 * holds, so another process (`devnet status`, `devnet down`, `devnet logs`) can find the devnet.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Address, Hex } from 'viem'
import { DevnetError } from '../errors.js'
import type { KeyRole } from '../plan/keys.js'
import { isRollupNode, type DevnetPlan, type ServiceRole } from '../plan/types.js'
import type { Topology } from '../topology/types.js'
import type { ServiceState } from '../runtime/types.js'
import type { ConductorState } from './conductors.js'
import type { DevnetGame } from './games.js'

/** Heads of a rollup node, from its `optimism_syncStatus`. */
export interface NodeHeads {
  /** `unsafe_l2.number` */
  unsafe: number
  /** `safe_l2.number` */
  safe: number
  /** `finalized_l2.number` */
  finalized: number
  /** `head_l1.number`: the L1 head the node has seen. */
  l1: number
  /** `current_l1.number`: the L1 block derivation has reached. */
  currentL1: number
}

export interface ServiceDescriptor {
  name: string
  role: ServiceRole
  state: ServiceState
  /**
   * Public ports by name → URL as seen from the host. Rollup nodes: `rollup`, `el` and `elWs` (WebSocket
   * on the `el` port); L1: `rpc` and `ws` (anvil serves WebSocket on its HTTP port); proxyd: `rpc`, `ws`, `metrics`;
   * proposer: `rpc`, `metrics`; challenger: `metrics` (Prometheus on `/metrics` for each `metrics`).
   */
  endpoints: Record<string, string>
  /** OS process id (0 if unknown). */
  pid: number
  /** Rollup nodes only, when `status()` could reach them. */
  heads?: NodeHeads
  /** Conductors: leader / active / healthy as the conductor reports them (`devnet status`). */
  conductor?: ConductorState
}

/** A fault injected into the devnet (`devnet fault`); `devnet status` lists them. */
export interface FaultRecord {
  /** Fault name (`crash`, `partition`, `l1Reorg`, ...). */
  name: string
  /** Services it acts on (`[]`: every service). */
  targets: string[]
  /** Its arguments. */
  args: Record<string, unknown>
  /** `window`: active until one of `endedBy` closes it; `instant`: ended when its action did. */
  lasts: 'instant' | 'window'
  /** The recoveries that close its window (`start`, `heal`, ...); `[]` for an instant fault. */
  endedBy: string[]
  /** Wall clock (ms since epoch) when it was injected. */
  since: number
  /** When (ms since epoch) and by which fault it ended; absent while active. */
  ended?: { at: number; by: string }
}

export interface DevnetDescriptor {
  name: string
  runtime: 'process' | 'docker'
  /** Absolute state directory (service directories, logs, this descriptor as `devnet.json`). */
  stateDir: string
  /** In start order. */
  services: ServiceDescriptor[]
  /** DEV ONLY keys, one per role. */
  keys: Record<KeyRole, { address: Address; privateKey: Hex }>
  /** DEV ONLY funded accounts, by HD index. */
  accounts: { index: number; address: Address; privateKey: Hex }[]
  chains: {
    /** `head`: L1 `eth_blockNumber`, when `status()` could reach L1. */
    l1: { chainId: number; head?: number }
    l2: { chainId: number }
  }
  /** Settlement contracts on L1 (absent in descriptors of older versions; op-deployer's names: `OptimismPortalProxy`, ...) and L2 predeploys. */
  contracts?: { l1: Record<string, Address>; l2: Record<string, Address> }
  /** Dispute games of the DisputeGameFactory, oldest first (filled by `status()` / `devnet status` when L1 answers). */
  games?: DevnetGame[]
  /** Faults injected with `devnet fault`, active ones without `ended` (read from `faults.json`; `devnet status --json` always has it). */
  faults?: FaultRecord[]
}

/** Every devnet-layer default, in one place. */
export const devnetDefaults = {
  /** Root of the default state directories, relative to the working directory. @default '.devnet' */
  stateRoot: '.devnet',
  /** Name of the descriptor file in the state directory. @default 'devnet.json' */
  descriptorFile: 'devnet.json',
  /** Fault state of `devnet fault` / `devnet heal` (active windows first) in the state directory. @default 'faults.json' */
  faultsFile: 'faults.json',
  /** What another process needs to act on the devnet (topology, plan, lite launcher). @default 'attach.json' */
  attachFile: 'attach.json',
  /** Timeout of one status RPC call (`optimism_syncStatus`, `eth_blockNumber`). @default 1_000 */
  statusRpcTimeoutMs: 1_000,
}

/**
 * The WebSocket endpoints served on HTTP ports: `elWs` beside a rollup node's `el`, `ws` beside the L1's
 * `rpc` (same host and port, `ws://`); proxyd's `ws` port gets the `ws://` scheme. Other services'
 * endpoints are returned as they are.
 * @example
 * withWebSocketEndpoints('l1', { rpc: 'http://127.0.0.1:8545' }) // { rpc: 'http://127.0.0.1:8545', ws: 'ws://127.0.0.1:8545' }
 */
export function withWebSocketEndpoints(role: ServiceRole, endpoints: Record<string, string>): Record<string, string> {
  const ws = (url: string) => url.replace(/^http(s?):/, 'ws$1:')
  if (role === 'l1' && endpoints.rpc) return { ...endpoints, ws: ws(endpoints.rpc) }
  if (isRollupNode(role) && endpoints.el) return { ...endpoints, elWs: ws(endpoints.el) }
  if (role === 'proxyd' && endpoints.ws) return { ...endpoints, ws: ws(endpoints.ws) }
  return endpoints
}

/** `.devnet/<name>` under `cwd`, absolute. */
export function defaultStateDir(name: string, cwd: string = process.cwd()): string {
  return resolve(cwd, devnetDefaults.stateRoot, name)
}

export function descriptorPath(stateDir: string): string {
  return join(stateDir, devnetDefaults.descriptorFile)
}

/** The faults `devnet fault` recorded in `<stateDir>/faults.json` (none without the file). */
export function readFaultRecords(stateDir: string): FaultRecord[] {
  try {
    return (JSON.parse(readFileSync(join(stateDir, devnetDefaults.faultsFile), 'utf8')) as { faults?: FaultRecord[] }).faults ?? []
  } catch {
    return []
  }
}

/**
 * Reads `<stateDir>/devnet.json` as written by `startDevnet`, with the faults of `faults.json` if any;
 * service states are as recorded at start.
 * @throws DevnetError (`DEVNET_NOT_RUNNING`) if there is none.
 * @example
 * const { services } = readDescriptor('.devnet/devnet')
 */
export function readDescriptor(stateDir: string): DevnetDescriptor {
  const path = descriptorPath(resolve(stateDir))
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DevnetError(`no devnet is running in ${resolve(stateDir)}`, { code: 'DEVNET_NOT_RUNNING', details: `${path} does not exist` })
    }
    throw error
  }
  try {
    const faults = readFaultRecords(stateDir)
    return { ...(JSON.parse(text) as DevnetDescriptor), ...(faults.length ? { faults } : {}) }
  } catch (error) {
    throw new DevnetError(`${path} is not valid JSON`, { code: 'DEVNET_INTERNAL', cause: error })
  }
}

/** Writes the descriptor atomically (temp file + rename). */
export function writeDescriptor(descriptor: DevnetDescriptor): void {
  const path = descriptorPath(descriptor.stateDir)
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(descriptor, null, 2)}\n`)
  renameSync(temp, path)
}

/** What another process needs to act on a running devnet (`devnet fault`): `<stateDir>/attach.json`. */
export interface AttachData {
  topology: Topology
  plan: DevnetPlan
  /** The lite launcher the services were started with (to start one again). */
  liteEntrypoint: string
}

export function writeAttachData(stateDir: string, data: AttachData): void {
  writeFileSync(join(stateDir, devnetDefaults.attachFile), `${JSON.stringify(data)}\n`)
}

/**
 * Reads `<stateDir>/attach.json`.
 * @throws DevnetError (`DEVNET_NOT_RUNNING`) if there is none (no devnet, or one started by an older version).
 */
export function readAttachData(stateDir: string): AttachData {
  const path = join(resolve(stateDir), devnetDefaults.attachFile)
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AttachData
  } catch (error) {
    throw new DevnetError(`no devnet to attach to in ${resolve(stateDir)}`, { code: 'DEVNET_NOT_RUNNING', details: `cannot read ${path}`, cause: error })
  }
}

/** Removes the descriptor and the files beside it that describe a running devnet (faults, attach data). */
export function removeDescriptor(stateDir: string): void {
  for (const file of [devnetDefaults.faultsFile, devnetDefaults.attachFile]) rmSync(join(stateDir, file), { force: true })
  rmSync(descriptorPath(stateDir), { force: true })
}

/**
 * Names of the devnets with a state directory under `<cwd>/.devnet` holding a descriptor, sorted.
 * @example
 * listDevnets() // ['devnet']
 */
export function listDevnets(cwd: string = process.cwd()): string[] {
  const root = resolve(cwd, devnetDefaults.stateRoot)
  let entries: string[]
  try {
    entries = readdirSync(root)
  } catch {
    return []
  }
  return entries
    .filter((entry) => {
      try {
        return statSync(join(root, entry)).isDirectory() && existsSync(descriptorPath(join(root, entry)))
      } catch {
        return false
      }
    })
    .sort()
}

/**
 * The state directory a command about an existing devnet (`status`, `logs`, `down`) means: `stateDir` if
 * given, else `.devnet/<name>` if `name` is given, else the only devnet under `.devnet` (preferring those
 * with a descriptor), else `.devnet/devnet` (the default name).
 * @throws DevnetError (`DEVNET_USAGE`) when several devnets are there and none was named.
 */
export function findStateDir(options: { name?: string; stateDir?: string; cwd?: string } = {}): string {
  const cwd = options.cwd ?? process.cwd()
  if (options.stateDir) return resolve(cwd, options.stateDir)
  if (options.name) return defaultStateDir(options.name, cwd)
  const root = resolve(cwd, devnetDefaults.stateRoot)
  let dirs: string[] = []
  try {
    dirs = readdirSync(root).filter((entry) => statSync(join(root, entry)).isDirectory()).sort()
  } catch {
    // no .devnet yet
  }
  const running = listDevnets(cwd)
  const candidates = running.length ? running : dirs
  if (candidates.length === 1) return join(root, candidates[0])
  if (candidates.length > 1) {
    throw new DevnetError(`several devnets are in ${root}: ${candidates.join(', ')}`, { code: 'DEVNET_USAGE', details: 'pick one with --name' })
  }
  return defaultStateDir('devnet', cwd)
}

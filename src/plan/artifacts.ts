/**
 * The contract artifacts of `fixtures/contracts/` (extracted from `@eth-optimism/contracts-bedrock@0.17.3`
 * by `scripts/extract-artifacts.mjs`): abi, creation and deployed bytecode, storage layouts, immutables.
 * Read lazily, once per contract; `src/plan` and `dist/plan` both sit two levels under the package root.
 */
import { readFileSync } from 'node:fs'
import { keccak256, numberToHex, pad, type Abi, type Hex } from 'viem'

/** One storage variable of a contract's layout (solc `storageLayout`, trimmed). */
export interface StorageVar {
  label: string
  slot: number
  /** Byte offset inside the slot, from the right (low-order end). */
  offset: number
  bytes: number
}

export interface Artifact {
  contractName: string
  /** Package, version and file it came from. */
  source: string
  abi: Abi
  /** Creation bytecode (contracts deployed on L1). */
  bytecode?: Hex
  /** Runtime bytecode (L2 predeploys, Multicall3). */
  deployedBytecode?: Hex
  storageLayout?: StorageVar[]
  /** Immutable name -> byte ranges of the runtime code that hold its 32-byte word. */
  immutables?: Record<string, Array<{ start: number; length: number }>>
}

/** Every contract name under `fixtures/contracts/`. */
export type ContractName =
  | 'Proxy' | 'ProxyAdmin' | 'AddressManager' | 'ResolvedDelegateProxy' | 'L1ChugSplashProxy'
  | 'SuperchainConfig' | 'OptimismPortal2' | 'SystemConfig' | 'DisputeGameFactory' | 'AnchorStateRegistry'
  | 'DelayedWETH' | 'L1CrossDomainMessenger' | 'L1StandardBridge' | 'PreimageOracle' | 'AlphabetVM' | 'FaultDisputeGame'
  | 'L1Block' | 'L2ToL1MessagePasser' | 'GasPriceOracle' | 'L2CrossDomainMessenger' | 'L2StandardBridge'
  | 'SequencerFeeVault' | 'BaseFeeVault' | 'L1FeeVault' | 'Multicall3'

const loaded = new Map<ContractName, Artifact>()

/** The artifact of `name`; throws naming the file when it is missing or lacks what the caller needs. */
export function artifact(name: ContractName, needs: Array<'bytecode' | 'deployedBytecode' | 'storageLayout'> = []): Artifact {
  let a = loaded.get(name)
  if (!a) {
    const file = new URL(`../../fixtures/contracts/${name}.json`, import.meta.url)
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Artifact
    a = { ...parsed, abi: parsed.abi ?? [] }
    loaded.set(name, a)
  }
  for (const need of needs) {
    if (!a[need]) throw new Error(`fixtures/contracts/${name}.json has no ${need} (rerun scripts/extract-artifacts.mjs)`)
  }
  return a
}

/** Runtime code of `name` with its immutables set to 32-byte words (`values` must name every immutable). */
export function deployedCode(name: ContractName, values: Record<string, Hex> = {}): Hex {
  const a = artifact(name, ['deployedBytecode'])
  const code = a.deployedBytecode!.slice(2).split('')
  for (const [immutable, ranges] of Object.entries(a.immutables ?? {})) {
    const value = values[immutable]
    if (value === undefined) throw new Error(`${name}: no value for immutable ${immutable}`)
    const word = pad(value, { size: 32 }).slice(2)
    for (const { start, length } of ranges) code.splice(start * 2, length * 2, ...word.slice(64 - length * 2))
  }
  return `0x${code.join('')}`
}

/** The storage variable `label` of `name`'s layout. */
export function storageVar(name: ContractName, label: string): StorageVar {
  const v = artifact(name, ['storageLayout']).storageLayout!.find((s) => s.label === label)
  if (!v) throw new Error(`${name} has no storage variable ${label}`)
  return v
}

/** 32-byte slot key of a number. */
export const slotKey = (slot: number | bigint): Hex => numberToHex(slot, { size: 32 })

/** Slot of `mapping[key]` for a mapping at `slot` with a key ABI-encoded as one word. */
export function mappingSlot(key: Hex, slot: number): bigint {
  return BigInt(keccak256(`0x${pad(key, { size: 32 }).slice(2)}${slotKey(slot).slice(2)}`))
}

/**
 * Packs values into storage words as solc lays them out: each variable at its slot, `offset` bytes from
 * the low-order end. Returns slot key -> 32-byte word.
 */
export function packStorage(name: ContractName, values: Record<string, bigint>): Record<Hex, Hex> {
  const words = new Map<number, bigint>()
  for (const [label, value] of Object.entries(values)) {
    const v = storageVar(name, label)
    if (value >= 1n << BigInt(v.bytes * 8)) throw new Error(`${name}.${label}: ${value} does not fit in ${v.bytes} bytes`)
    words.set(v.slot, (words.get(v.slot) ?? 0n) | (value << BigInt(v.offset * 8)))
  }
  return Object.fromEntries([...words].map(([slot, word]) => [slotKey(slot), numberToHex(word, { size: 32 })]))
}

/** `word` (a storage word, absent = 0) with the variable `v` set to `value`, other fields kept. */
export function setField(word: Hex | undefined, v: StorageVar, value: bigint): Hex {
  const shift = BigInt(v.offset * 8)
  const mask = ((1n << BigInt(v.bytes * 8)) - 1n) << shift
  return numberToHex((BigInt(word ?? 0) & ~mask) | ((value << shift) & mask), { size: 32 })
}

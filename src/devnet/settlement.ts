/**
 * What a devnet's L1 starts with, prepared before planning (I/O): the cached L1 contracts
 * (`l1Contracts.ts`) and the output root of L2 block 0 that anchors the dispute games.
 *
 * The L2 genesis output root changes with the genesis time (through the block hash). It is read once per
 * L2 genesis (without its timestamp) from a throwaway anvil running that genesis: block 0's header and the
 * L2ToL1MessagePasser storage root are cached in `<cache dir>/l2-genesis/<hash>.json`; later genesis times
 * recompute the block hash from that header with the new timestamp (keccak256 of the RLP header), after
 * checking that the cached header hashes to the block hash anvil gave.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { keccak256, numberToHex, toRlp, type Hex } from 'viem'
import { outputRootV0 } from '../protocol/output.js'
import { addresses, l2Genesis, type L1ContractsInput } from '../plan/genesis.js'
import type { L1Addresses } from '../plan/l1Deployment.js'
import type { Topology } from '../topology/types.js'
import { ensureL1State } from './l1Contracts.js'
import { cacheDir } from './cacheDir.js'
import { withAnvil } from './throwawayAnvil.js'

export interface Settlement {
  /** The planner's input (`PlanOptions.l1Contracts`). */
  contracts: L1ContractsInput
  addresses: L1Addresses
  /** Whether the L1 state came from the cache. */
  cached: boolean
}

/**
 * The L1 contracts and the anchor for a devnet with this topology and genesis time.
 * @example
 * const settlement = await prepareSettlement(topology, genesisTime)
 * planDevnet(topology, { ..., l1Contracts: settlement.contracts })
 */
export async function prepareSettlement(topology: Topology, genesisTime: number, dir = cacheDir()): Promise<Settlement> {
  const [{ state, cached }, genesisOutputRoot] = await Promise.all([ensureL1State(topology, dir), l2GenesisOutputRoot(topology, genesisTime, dir)])
  return { contracts: { alloc: state.alloc, genesisOutputRoot }, addresses: state.addresses, cached }
}

/** Block 0 as `eth_getBlockByNumber` returns it (the header fields, in header order). */
const HEADER_FIELDS = [
  'parentHash', 'sha3Uncles', 'miner', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'logsBloom', 'difficulty', 'number',
  'gasLimit', 'gasUsed', 'timestamp', 'extraData', 'mixHash', 'nonce', 'baseFeePerGas', 'withdrawalsRoot', 'blobGasUsed',
  'excessBlobGas', 'parentBeaconBlockRoot', 'requestsHash',
] as const
const QUANTITIES = new Set(['difficulty', 'number', 'gasLimit', 'gasUsed', 'timestamp', 'baseFeePerGas', 'blobGasUsed', 'excessBlobGas'])
type Header = Record<(typeof HEADER_FIELDS)[number], Hex> & { hash: Hex }

interface GenesisSample {
  header: Header
  messagePasserStorageRoot: Hex
}

/** keccak256 of the RLP header (quantities minimal, zero as the empty string). */
function headerHash(header: Header): Hex {
  return keccak256(toRlp(HEADER_FIELDS.map((f) => (QUANTITIES.has(f) ? (BigInt(header[f]) === 0n ? '0x' : numberToHex(BigInt(header[f]))) : header[f]))))
}

/** Output root of L2 block 0 for this topology and genesis time (see the module comment). */
export async function l2GenesisOutputRoot(topology: Topology, genesisTime: number, dir = cacheDir()): Promise<Hex> {
  const genesis = l2Genesis(topology, genesisTime)
  const key = createHash('sha256').update(JSON.stringify({ ...genesis, timestamp: undefined })).digest('hex').slice(0, 32)
  const file = join(dir, 'l2-genesis', `${key}.json`)
  let sample: GenesisSample | undefined
  try {
    sample = JSON.parse(readFileSync(file, 'utf8')) as GenesisSample
  } catch {
    // a miss: read it from anvil below
  }
  if (!sample || HEADER_FIELDS.some((f) => typeof sample!.header[f] !== 'string') || headerHash(sample.header) !== sample.header.hash) {
    sample = await readGenesis(genesis)
    const { header, messagePasserStorageRoot } = sample
    // A header this code cannot rehash (new fields in anvil?): use anvil's answer and cache nothing.
    if (headerHash(header) !== header.hash) return outputRootV0({ stateRoot: header.stateRoot, messagePasserStorageRoot, blockHash: header.hash })
    try {
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(sample))
      renameSync(`${file}.${process.pid}.tmp`, file)
    } catch {
      // an unwritable cache costs the next start one throwaway anvil
    }
  }
  const header = { ...sample.header, timestamp: numberToHex(genesisTime) }
  return outputRootV0({ stateRoot: header.stateRoot, messagePasserStorageRoot: sample.messagePasserStorageRoot, blockHash: headerHash(header) })
}

async function readGenesis(genesis: ReturnType<typeof l2Genesis>): Promise<GenesisSample> {
  const tmp = mkdtempSync(join(tmpdir(), 'op-devnet-l2-genesis-'))
  try {
    const file = join(tmp, 'l2-genesis.json')
    writeFileSync(file, JSON.stringify(genesis))
    return await withAnvil(['--init', file, '--network', 'optimism', '--no-mining'], async (rpc) => {
      const [block, proof] = await Promise.all([
        rpc.call<Header>('eth_getBlockByNumber', ['0x0', false]),
        rpc.call<{ storageHash: Hex }>('eth_getProof', [addresses.l2ToL1MessagePasser, [], '0x0']),
      ])
      const header = Object.fromEntries([...HEADER_FIELDS, 'hash'].map((f) => [f, block[f as keyof Header] ?? '0x'])) as Header
      return { header, messagePasserStorageRoot: proof.storageHash }
    })
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

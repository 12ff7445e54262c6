/**
 * Builds the L1 settlement contracts once per configuration and caches the result: the steps of
 * `plan/l1Deployment.ts` run on a throwaway anvil (automine, fixed timestamps), the state is dumped
 * (`anvil_dumpState`), and the accounts it created are kept as a genesis alloc in
 * `<cache dir>/l1-state/<hash>.json`. The planner merges that alloc into the L1 genesis (anvil `--init`),
 * so the devnet's L1 has the contracts at block 0 with its own genesis time.
 *
 * The hash covers every transaction's data (hence the artifacts' bytecode and every argument: topology
 * settlement keys, chain ids, keys, batch inbox, system config) and the L1 chain id and hardfork. The L2
 * genesis is not in it: the planner writes the L2 genesis output root over the anchors (`anchorStorage`).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { getAddress, numberToHex, type Address, type Hex } from 'viem'
import { DevnetError } from '../errors.js'
import type { GenesisAccount } from '../plan/genesis.js'
import { l1Deployment, stepData, type L1Addresses } from '../plan/l1Deployment.js'
import { planDefaults } from '../plan/plan.js'
import type { Topology } from '../topology/types.js'
import { withAnvil } from './throwawayAnvil.js'
import { cacheDir } from './cacheDir.js'

/** The deployed L1 contracts as genesis accounts (code, storage, nonce), plus the deployer's nonce. */
export interface L1State {
  /** Configuration hash (the cache key). */
  hash: string
  addresses: L1Addresses
  /** Every account the deployment created or changed, without balances, deployer included (nonce only). */
  alloc: Record<Address, GenesisAccount>
}

export interface L1StateResult {
  state: L1State
  /** The cache file. */
  file: string
  /** Whether it came from the cache. */
  cached: boolean
}

/**
 * The L1 contracts of a topology, from the cache or deployed now (about 1 s) and cached.
 * @throws DevnetError `DEVNET_INTERNAL` when a deployment transaction reverts or lands elsewhere.
 * @example
 * const { state } = await ensureL1State(topology)
 * state.addresses.OptimismPortalProxy
 */
export async function ensureL1State(topology: Topology, dir = cacheDir()): Promise<L1StateResult> {
  const deployment = l1Deployment(topology)
  const data = deployment.steps.map(stepData)
  const hash = createHash('sha256')
    .update(JSON.stringify({ chainId: topology.l1.chainId, hardfork: planDefaults.l1Hardfork, deployer: deployment.deployer, data }))
    .digest('hex')
    .slice(0, 32)
  const file = join(dir, 'l1-state', `${hash}.json`)
  try {
    return { state: JSON.parse(readFileSync(file, 'utf8')) as L1State, file, cached: true }
  } catch {
    // a miss (or an unreadable file): build it
  }
  const alloc = await deploy(topology, deployment, data)
  const state: L1State = { hash, addresses: deployment.addresses, alloc }
  try {
    mkdirSync(dirname(file), { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(state))
    renameSync(tmp, file) // atomic: devnets starting side by side never read half a file
  } catch {
    // an unwritable cache directory costs the next start a redeployment, nothing more
  }
  return { state, file, cached: false }
}

interface DumpedAccount {
  nonce: number | Hex
  balance: Hex
  code: Hex
  storage: Record<Hex, Hex>
}

async function deploy(topology: Topology, deployment: ReturnType<typeof l1Deployment>, data: Hex[]): Promise<Record<Address, GenesisAccount>> {
  const { deployer, steps } = deployment
  const args = ['--chain-id', String(topology.l1.chainId), '--hardfork', planDefaults.l1Hardfork, '--timestamp', '1', '--accounts', '0']
  return withAnvil(args, async (rpc) => {
    await rpc.call('anvil_setBalance', [deployer, numberToHex(10n ** 24n)])
    await rpc.call('anvil_impersonateAccount', [deployer])
    for (const [i, step] of steps.entries()) {
      const tx = step.kind === 'create' ? { from: deployer, data: data[i] } : { from: deployer, to: step.to, data: data[i] }
      const hash = await rpc.call<Hex>('eth_sendTransaction', [{ ...tx, gas: numberToHex(15_000_000) }])
      let receipt: { status: Hex; contractAddress: Address | null } | null = null
      for (let tries = 0; !receipt; tries++) {
        if (tries > 500) throw new DevnetError(`L1 contract deployment: step ${i} was never mined`, { code: 'DEVNET_INTERNAL' })
        receipt = await rpc.call('eth_getTransactionReceipt', [hash])
        if (!receipt) await new Promise((resolve) => setTimeout(resolve, 10))
      }
      const what = step.kind === 'create' ? `deploying ${step.name} (${step.contract})` : `${step.contract}.${step.functionName} on ${step.to}`
      if (receipt.status !== '0x1') {
        throw new DevnetError(`L1 contract deployment failed at step ${i}: ${what} reverted`, { code: 'DEVNET_INTERNAL' })
      }
      if (step.kind === 'create' && getAddress(receipt.contractAddress ?? '0x') !== step.address) {
        throw new DevnetError(`L1 contract deployment: ${step.name} landed at ${receipt.contractAddress}, expected ${step.address}`, {
          code: 'DEVNET_INTERNAL',
        })
      }
    }
    const dump = await rpc.call<Hex>('anvil_dumpState', [])
    const { accounts } = JSON.parse(gunzipSync(Buffer.from(dump.slice(2), 'hex')).toString('utf8')) as { accounts: Record<string, DumpedAccount> }
    const alloc: Record<Address, GenesisAccount> = {}
    for (const [address, account] of Object.entries(accounts)) {
      const nonce = BigInt(account.nonce)
      const storage = Object.fromEntries(Object.entries(account.storage).filter(([, v]) => BigInt(v) !== 0n))
      if (account.code === '0x' && nonce === 0n && Object.keys(storage).length === 0) continue
      alloc[getAddress(address)] = {
        balance: '0x0',
        ...(account.code === '0x' ? {} : { code: account.code }),
        nonce: numberToHex(nonce),
        ...(Object.keys(storage).length ? { storage: Object.fromEntries(Object.entries(storage).map(([k, v]) => [numberToHex(BigInt(k), { size: 32 }), numberToHex(BigInt(v), { size: 32 })])) } : {}),
      }
    }
    return alloc
  })
}

/** The alphabet trace against contracts-bedrock 0.17.3's AlphabetVM bytecode, on a throwaway anvil. */
import { createPublicClient, createWalletClient, encodeDeployData, http, pad, toHex, type Abi, type Address, type Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { withAnvil } from '../../devnet/throwawayAnvil.js'
import { artifact } from '../../plan/artifacts.js'
import { l1DeploymentDefaults } from '../../plan/l1Deployment.js'
import { ABSOLUTE_PRESTATE, ABSOLUTE_PRESTATE_DATA, alphabetPreState, alphabetTraceClaim } from './alphabet.js'
import { DISPUTED_L2_BLOCK_NUMBER } from '../../protocol/disputeGames.js'

const DEV: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'

describe('alphabet trace', () => {
  test('default: the absolute prestate is the one the devnet deploys', () => {
    expect(ABSOLUTE_PRESTATE).toBe(l1DeploymentDefaults.absolutePrestate)
  })

  test('behavior: AlphabetVM.step of each pre-state gives the next trace claim, from the absolute prestate on', async () => {
    await withAnvil(['--chain-id', '900'], async (rpc) => {
      const transport = http(rpc.url)
      const pub = createPublicClient({ transport, pollingInterval: 50 })
      const wallet = createWalletClient({ transport, account: DEV })
      const deploy = async (name: 'PreimageOracle' | 'AlphabetVM', args: unknown[]): Promise<Address> => {
        const { abi, bytecode } = artifact(name, ['bytecode'])
        const hash = await wallet.sendTransaction({ data: encodeDeployData({ abi, bytecode: bytecode!, args }), chain: null })
        return (await pub.waitForTransactionReceipt({ hash })).contractAddress!
      }
      const oracle = await deploy('PreimageOracle', [0n, 0n])
      const vm = await deploy('AlphabetVM', [ABSOLUTE_PRESTATE, oracle])
      const vmAbi = artifact('AlphabetVM').abi as Abi
      const context = pad(toHex(42), { size: 32 })
      const step = (stateData: Hex) => pub.readContract({ address: vm, abi: vmAbi, functionName: 'step', args: [stateData, '0x', context], account: DEV }) as Promise<Hex>

      const disputedBlock = 7n
      // What the game uploads with addLocalData(4, …): the block number, big-endian, in the high 8 bytes.
      const hash = await wallet.writeContract({
        address: oracle,
        abi: artifact('PreimageOracle').abi as Abi,
        functionName: 'loadLocalData',
        args: [DISPUTED_L2_BLOCK_NUMBER, context, toHex(disputedBlock << 192n, { size: 32 }), 8n, 0n],
        chain: null,
      })
      await pub.waitForTransactionReceipt({ hash })

      expect(alphabetPreState(disputedBlock, 0n)).toBe(ABSOLUTE_PRESTATE_DATA)
      for (let i = 0n; i < 8n; i++) expect(await step(alphabetPreState(disputedBlock, i))).toBe(alphabetTraceClaim(disputedBlock, i))
      expect(alphabetTraceClaim(disputedBlock, 0n)).not.toBe(alphabetTraceClaim(disputedBlock + 1n, 0n))
    })
  }, 60_000)
})

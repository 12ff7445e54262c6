/**
 * Withdrawals end to end on the process runtime, with viem's op-stack actions as their authors wrote them:
 * initiate on L2, a game from the proposer covers it, prove on the portal, the game resolves
 * DEFENDER_WINS, finalize after the portal's delays, the ETH arrives on L1. Also ETH through the
 * standard bridges both ways, and messages through the cross-domain messengers both ways.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, getAddress, http, parseAbi, zeroAddress, parseEther, parseEventLogs, stringToHex, type Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getL2TransactionHashes, getWithdrawals, publicActionsL1, publicActionsL2, walletActionsL1, walletActionsL2 } from 'viem/op-stack'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { defaultLiteEntrypoint, startDevnet, type Devnet } from '../src/devnet/index.js'
import { viemGame } from '../src/devnet/games.js'
import { proveAndFinalize, resolveGame, waitForGame } from '../src/devnet/withdrawal.js'
import { suiteTopology, testSpeed, waitFor } from './helpers.js'
import { requires } from './requires.js'

const root = mkdtempSync(join(tmpdir(), 'op-devnet-withdrawal-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const bridgeAbi = parseAbi(['function bridgeETHTo(address _to, uint32 _minGasLimit, bytes _extraData) payable'])
const messengerAbi = parseAbi([
  'function sendMessage(address _target, bytes _message, uint32 _minGasLimit) payable',
  'event RelayedMessage(bytes32 indexed msgHash)',
  'event FailedRelayedMessage(bytes32 indexed msgHash)',
])
const portalEvents = parseAbi(['event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success)'])
const L2_STANDARD_BRIDGE: Address = '0x4200000000000000000000000000000000000010'
const L2_CROSS_DOMAIN_MESSENGER: Address = '0x4200000000000000000000000000000000000007'
/** A fresh address per test, so balances start at 0. */
const fresh = (n: number): Address => `0x${'00'.repeat(19)}${n.toString(16).padStart(2, '0')}` as Address

requires('dist/ (the built lite components)', existsSync(defaultLiteEntrypoint()), 'npm run build')('withdrawals on process', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet({ topology: suiteTopology(), runtime: 'process', ports: 'auto', stateDir: join(root, 'devnet'), speed: testSpeed })
  }, 60_000)
  afterAll(async () => {
    await devnet?.stop()
  })

  const clients = (index: number) => {
    const account = privateKeyToAccount(devnet.keys.accounts[index].privateKey)
    return {
      account,
      l1: createPublicClient({ chain: devnet.chains.l1, transport: http() }).extend(publicActionsL1()),
      l2: createPublicClient({ chain: devnet.chains.l2, transport: http() }).extend(publicActionsL2()),
      l1Wallet: createWalletClient({ account, chain: devnet.chains.l1, transport: http() }).extend(walletActionsL1()),
      l2Wallet: createWalletClient({ account, chain: devnet.chains.l2, transport: http() }).extend(walletActionsL2()),
    }
  }

  test('default: ETH withdrawn with initiateWithdrawal is proven, the game resolves DEFENDER_WINS, finalizeWithdrawal pays it on L1', async () => {
    const { account, l1, l2, l1Wallet, l2Wallet } = clients(5)
    const to = fresh(0xa1)
    const value = parseEther('0.25')

    const request = await l1.buildInitiateWithdrawal({ account, to, value })
    const hash = await l2Wallet.initiateWithdrawal(request)
    const receipt = await l2.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    const [withdrawal] = getWithdrawals(receipt)
    expect([withdrawal.sender, withdrawal.target, withdrawal.value]).toEqual([account.address, getAddress(to), value])

    const game = await waitForGame(devnet, receipt.blockNumber)
    expect(game.l2Block).toBeGreaterThanOrEqual(Number(receipt.blockNumber))
    // viem's getGames (and waitToProve, getWithdrawalStatus through it) asks each game for
    // l2SequenceNumber(), which FaultDisputeGame 1.2.0 lacks: hence waitForGame above.
    await expect(l1.getGames({ targetChain: devnet.chains.l2 })).rejects.toThrow(/l2SequenceNumber/)

    const proveArgs = await l2.buildProveWithdrawal({ account, withdrawal, game: viemGame(game) })
    const proveHash = await l1Wallet.proveWithdrawal(proveArgs)
    expect((await l1.waitForTransactionReceipt({ hash: proveHash })).status).toBe('success')

    // Finalizing before the game resolved reverts.
    await expect(l1Wallet.finalizeWithdrawal({ targetChain: devnet.chains.l2, withdrawal })).rejects.toThrow()
    expect(await resolveGame(devnet, account, game)).toBe('DEFENDER_WINS')

    // Its type asks for an L2OutputOracle address, read only on the legacy path (portal < 3).
    const { period } = await l1.getTimeToFinalize({ portalAddress: devnet.contracts.l1.OptimismPortalProxy, l2OutputOracleAddress: zeroAddress, withdrawalHash: withdrawal.withdrawalHash })
    expect(period).toBe(devnet.topology.settlement.proofMaturityDelaySeconds)
    const finalizeHash = await waitFor('the portal to accept finalizeWithdrawal', () => l1Wallet.finalizeWithdrawal({ targetChain: devnet.chains.l2, withdrawal }), 30_000, 250)
    const finalized = await l1.waitForTransactionReceipt({ hash: finalizeHash })
    expect(finalized.status).toBe('success')
    // The portal pays from the L2 genesis balances it holds: no deposit came first in this devnet.
    const [event] = parseEventLogs({ abi: portalEvents, logs: finalized.logs })
    expect(event.args).toEqual({ withdrawalHash: withdrawal.withdrawalHash, success: true })
    expect(await l1.getBalance({ address: to })).toBe(value)
    // A second finalization of the same withdrawal is refused.
    await expect(l1Wallet.finalizeWithdrawal({ targetChain: devnet.chains.l2, withdrawal })).rejects.toThrow()
  }, 120_000)

  test('behavior: ETH bridged both ways through L1StandardBridge and L2StandardBridge', async () => {
    const { account, l1, l2, l1Wallet, l2Wallet } = clients(6)
    const down = fresh(0xb1)
    const up = fresh(0xb2)
    const l1Hash = await l1Wallet.writeContract({
      address: devnet.contracts.l1.L1StandardBridgeProxy, abi: bridgeAbi, functionName: 'bridgeETHTo', args: [down, 200_000, '0x'], value: parseEther('0.5'),
    })
    const [depositHash] = getL2TransactionHashes(await l1.waitForTransactionReceipt({ hash: l1Hash }))
    expect((await waitFor('the deposit on L2', () => l2.getTransactionReceipt({ hash: depositHash }).catch(() => undefined), 30_000)).status).toBe('success')
    expect(await l2.getBalance({ address: down })).toBe(parseEther('0.5'))

    const l2Hash = await l2Wallet.writeContract({ address: L2_STANDARD_BRIDGE, abi: bridgeAbi, functionName: 'bridgeETHTo', args: [up, 200_000, '0x'], value: parseEther('0.3') })
    const receipt = await l2.waitForTransactionReceipt({ hash: l2Hash })
    expect(receipt.status).toBe('success')
    await proveAndFinalize(devnet, account, receipt)
    expect(await l1.getBalance({ address: up })).toBe(parseEther('0.3'))
  }, 120_000)

  test('behavior: messages through the cross-domain messengers both ways are relayed', async () => {
    const { account, l1, l2, l1Wallet, l2Wallet } = clients(7)
    const message = stringToHex('hello from the other side')
    const l1Hash = await l1Wallet.writeContract({
      address: devnet.contracts.l1.L1CrossDomainMessengerProxy, abi: messengerAbi, functionName: 'sendMessage', args: [fresh(0xc1), message, 100_000],
    })
    const [depositHash] = getL2TransactionHashes(await l1.waitForTransactionReceipt({ hash: l1Hash }))
    const relayedOnL2 = await waitFor('the message relayed on L2', () => l2.getTransactionReceipt({ hash: depositHash }).catch(() => undefined), 30_000)
    const l2Events = parseEventLogs({ abi: messengerAbi, logs: relayedOnL2.logs })
    expect(l2Events.map((e) => [e.eventName, e.address.toLowerCase()])).toEqual([['RelayedMessage', L2_CROSS_DOMAIN_MESSENGER.toLowerCase()]])

    const l2Hash = await l2Wallet.writeContract({ address: L2_CROSS_DOMAIN_MESSENGER, abi: messengerAbi, functionName: 'sendMessage', args: [fresh(0xc2), message, 100_000] })
    const { finalizeHash } = await proveAndFinalize(devnet, account, await l2.waitForTransactionReceipt({ hash: l2Hash }))
    const l1Events = parseEventLogs({ abi: messengerAbi, logs: (await l1.getTransactionReceipt({ hash: finalizeHash })).logs })
    expect(l1Events.map((e) => [e.eventName, getAddress(e.address)])).toEqual([['RelayedMessage', devnet.contracts.l1.L1CrossDomainMessengerProxy]])
  }, 120_000)
})

/**
 * A signing account whose address is known at once and whose key is made ready at its first signature.
 *
 * Why: the first secp256k1 multiplication by the generator in a process builds noble's table for it, and
 * viem's `privateKeyToAccount` does one on the spot to derive the address. On this machine that cost the
 * batcher, the proposer and the challenger 120-130 ms each (profiles of `devnet up`), at the moment
 * seven other programs start on two cores, though the challenger may never sign. Here the address
 * comes from OpenSSL (`protocol/secp256k1.ts`), and viem's account is made when something first asks for a signature.
 */
import type { Address, Hex, LocalAccount } from 'viem'
import { privateKeyToAccount, toAccount, type PrivateKeyAccount } from 'viem/accounts'
import { addressOfKey } from '../../protocol/secp256k1.js'

/**
 * A local account of `privateKey` for viem's clients: the address now, viem's `privateKeyToAccount` at
 * the first signature (every signing method delegates to it). A key OpenSSL refuses gets viem's own
 * account at once, so a bad key fails as it does with viem.
 */
export function lazyAccount(privateKey: Hex): LocalAccount {
  let address: Address
  try {
    address = addressOfKey(privateKey)
  } catch {
    return privateKeyToAccount(privateKey)
  }
  let account: PrivateKeyAccount | undefined
  const signer = () => (account ??= privateKeyToAccount(privateKey))
  return toAccount({
    address,
    sign: (args) => signer().sign(args),
    signAuthorization: (args) => signer().signAuthorization(args),
    signMessage: (args) => signer().signMessage(args),
    signTransaction: (transaction, options) => signer().signTransaction(transaction, options),
    signTypedData: (typedData) => signer().signTypedData(typedData),
  })
}

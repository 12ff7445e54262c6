import { sha256 } from 'viem'
import { english } from 'viem/accounts'

const WORD_INDEX = new Map(english.map((word, i) => [word, i]))
const WORD_COUNTS = [12, 15, 18, 21, 24]

const bits = (values: Iterable<number>, width: number) =>
  Array.from(values, (v) => v.toString(2).padStart(width, '0')).join('')

/**
 * Why `words` are not a valid BIP-39 English mnemonic (word count, word list, checksum), or
 * `undefined` if they are. viem's `mnemonicToAccount` accepts a bad checksum, hence this check.
 */
export function mnemonicProblem(words: string[]): string | undefined {
  if (!WORD_COUNTS.includes(words.length)) return `expected 12, 15, 18, 21 or 24 words, found ${words.length}`
  const bad = words.findIndex((word) => !WORD_INDEX.has(word))
  if (bad >= 0) return `word ${bad + 1} (${JSON.stringify(words[bad])}) is not in the BIP-39 English word list`
  const all = bits(words.map((word) => WORD_INDEX.get(word)!), 11)
  const entropyBits = (all.length * 32) / 33
  const entropy = Uint8Array.from(all.slice(0, entropyBits).match(/.{8}/g)!, (byte) => parseInt(byte, 2))
  const checksum = bits(sha256(entropy, 'bytes'), 8).slice(0, entropyBits / 32)
  if (checksum !== all.slice(entropyBits)) return 'bad checksum (the last word does not match the others)'
  return undefined
}

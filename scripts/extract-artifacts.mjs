// Copies abi + deployedBytecode of the predeploys op-devnet needs from an unpacked
// @eth-optimism/contracts-bedrock package into fixtures/contracts/.
// Usage: npm pack @eth-optimism/contracts-bedrock@0.17.3 && tar xzf *.tgz && node scripts/extract-artifacts.mjs package
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const pkg = process.argv[2]
if (!pkg) {
  console.error('usage: node scripts/extract-artifacts.mjs <unpacked contracts-bedrock dir>')
  process.exit(2)
}
const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version
for (const name of ['L1Block', 'L2ToL1MessagePasser']) {
  const rel = `forge-artifacts/${name}.sol/${name}.json`
  const artifact = JSON.parse(readFileSync(join(pkg, rel), 'utf8'))
  const out = {
    contractName: name,
    source: `@eth-optimism/contracts-bedrock@${version} ${rel}`,
    abi: artifact.abi,
    deployedBytecode: artifact.deployedBytecode.object,
  }
  writeFileSync(new URL(`../fixtures/contracts/${name}.json`, import.meta.url), JSON.stringify(out, null, 1))
}

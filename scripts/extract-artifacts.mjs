// Copies what op-devnet needs of the @eth-optimism/contracts-bedrock artifacts into fixtures/contracts/,
// so the 126 MB package is not a dependency: the abi, the creation bytecode of every L1 contract the devnet
// deploys, the deployed bytecode of every L2 predeploy, the storage layout of contracts whose storage the
// planner writes, and the immutable references (by name) of predeploys with immutables.
// Usage (outside the repo):
//   mkdir -p /tmp/cb && cd /tmp/cb && npm init -y && npm install @eth-optimism/contracts-bedrock@0.17.3
//   node scripts/extract-artifacts.mjs /tmp/cb/node_modules/@eth-optimism/contracts-bedrock
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const pkg = process.argv[2]
if (!pkg) {
  console.error('usage: node scripts/extract-artifacts.mjs <contracts-bedrock package dir>')
  process.exit(2)
}
const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version

/** name -> what to keep. bytecode: L1 deploys it; deployed: the L2 genesis places it; storage: its layout. */
const CONTRACTS = {
  // L1, deployed by src/devnet/l1Contracts.ts from the steps of src/plan/l1Deployment.ts
  Proxy: { bytecode: true, deployed: true },
  ProxyAdmin: { bytecode: true, deployed: true, storage: true },
  AddressManager: { bytecode: true },
  ResolvedDelegateProxy: { bytecode: true },
  L1ChugSplashProxy: { bytecode: true },
  SuperchainConfig: { bytecode: true },
  OptimismPortal2: { bytecode: true, storage: true },
  SystemConfig: { bytecode: true, storage: true },
  DisputeGameFactory: { bytecode: true },
  AnchorStateRegistry: { bytecode: true, storage: true },
  DelayedWETH: { bytecode: true },
  L1CrossDomainMessenger: { bytecode: true },
  L1StandardBridge: { bytecode: true },
  PreimageOracle: { bytecode: true },
  AlphabetVM: { bytecode: true },
  FaultDisputeGame: { bytecode: true },
  // L2 predeploys, placed by src/plan/l2Predeploys.ts
  L1Block: { deployed: true },
  L2ToL1MessagePasser: { deployed: true },
  GasPriceOracle: { deployed: true, storage: true },
  L2CrossDomainMessenger: { deployed: true, storage: true },
  L2StandardBridge: { deployed: true, storage: true },
  SequencerFeeVault: { deployed: true, immutablesFrom: 'FeeVault' },
  BaseFeeVault: { deployed: true, immutablesFrom: 'FeeVault' },
  L1FeeVault: { deployed: true, immutablesFrom: 'FeeVault' },
}

const read = (name) => JSON.parse(readFileSync(join(pkg, `forge-artifacts/${name}.sol/${name}.json`), 'utf8'))

/** Names of the AST variable declarations with the given ids. */
function declarationNames(ast, ids) {
  const names = {}
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (!node || typeof node !== 'object') return
    if (node.nodeType === 'VariableDeclaration' && ids.includes(String(node.id))) names[node.id] = node.name
    Object.values(node).forEach(walk)
  }
  walk(ast)
  return names
}

for (const [name, keep] of Object.entries(CONTRACTS)) {
  const artifact = read(name)
  const out = { contractName: name, source: `@eth-optimism/contracts-bedrock@${version} forge-artifacts/${name}.sol/${name}.json`, abi: artifact.abi }
  if (keep.bytecode) out.bytecode = artifact.bytecode.object
  if (keep.deployed) out.deployedBytecode = artifact.deployedBytecode.object
  if (keep.storage) {
    const { storage, types } = artifact.storageLayout
    // Struct members are listed too, as `<variable>.<member>` at their own slot and offset.
    out.storageLayout = storage.flatMap((s) => [
      { label: s.label, slot: Number(s.slot), offset: s.offset, bytes: Number(types[s.type].numberOfBytes) },
      ...(types[s.type].members ?? []).map((m) => ({
        label: `${s.label}.${m.label}`,
        slot: Number(s.slot) + Number(m.slot),
        offset: m.offset,
        bytes: Number(types[m.type].numberOfBytes),
      })),
    ])
  }
  const refs = artifact.deployedBytecode.immutableReferences ?? {}
  if (keep.immutablesFrom) {
    const names = declarationNames(read(keep.immutablesFrom).ast, Object.keys(refs))
    out.immutables = Object.fromEntries(Object.entries(refs).map(([id, at]) => [names[id], at]))
    if (Object.keys(out.immutables).some((n) => n === 'undefined')) throw new Error(`${name}: unnamed immutable`)
  }
  writeFileSync(new URL(`../fixtures/contracts/${name}.json`, import.meta.url), `${JSON.stringify(out)}\n`)
}

// Multicall3: its deployed code as the package's Preinstalls library holds it (its canonical address is
// the same on every chain, reached by a keyless deployment upstream; the devnet places the code in genesis).
const preinstalls = readFileSync(join(pkg, 'src/libraries/Preinstalls.sol'), 'utf8')
const multicall = /MultiCall3Code\s*=\s*hex"([0-9a-fA-F]+)"/.exec(preinstalls)
if (!multicall) throw new Error('MultiCall3Code not found in src/libraries/Preinstalls.sol')
writeFileSync(
  new URL('../fixtures/contracts/Multicall3.json', import.meta.url),
  `${JSON.stringify({ contractName: 'Multicall3', source: `@eth-optimism/contracts-bedrock@${version} src/libraries/Preinstalls.sol MultiCall3Code`, deployedBytecode: `0x${multicall[1]}` })}\n`,
)

/**
 * The host side of `bench/hostShare.ts`: runs several lite rollup nodes in this one Node process, each from
 * its service directory (its `config.json`, paths relative to it) with its own anvil (`DEVNET_ANVIL_BIN`),
 * until killed. Prints `host: started` on stderr once every node serves. Logs go to stdout.
 * @example DEVNET_ANVIL_BIN=anvil node bench/hostProcess.mjs state/replica-8 state/replica-9
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const { startRollupNode } = await import(new URL('../dist/components/rollup-node/index.js', import.meta.url).href)
for (const dir of process.argv.slice(2)) await startRollupNode(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), dir)
console.error('host: started')

/** The topology spec: `devnet.yaml` → a validated, fully defaulted {@link Topology}. */
export { defaults, defaultTopology } from './defaults.js'
export { loadTopology, parseTopology } from './parse.js'
export * from './types.js'

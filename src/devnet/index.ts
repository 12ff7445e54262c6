/** The devnet layer: start a planned topology on a runtime, endpoints, clients, heads, stop. */
export {
  defaultStateDir,
  descriptorPath,
  devnetDefaults,
  findStateDir,
  listDevnets,
  readDescriptor,
  type DevnetDescriptor,
  type NodeHeads,
  type ServiceDescriptor,
} from './descriptor.js'
export { devnetChains, devnetContracts, type DevnetChains, type DevnetContracts } from './chains.js'
export { nodeHeads, rpcCall, withHeads } from './heads.js'
export { followLog, readLogLines, serviceLogFile } from './logs.js'
export { devnetStatus, stopFromDescriptor } from './recorded.js'
export { defaultLiteEntrypoint, startDevnet, type DevnetEvent, type StartDevnetOptions } from './start.js'
export type { Devnet } from './started.js'
export { createGame, readGames, viemGame, GAME_STATUS, type CreateGameParameters, type DevnetGame } from './games.js'
export { proveAndFinalize, resolveGame, waitForGame, withdrawalRoundTrip, withdrawalDefaults, type FinalizedWithdrawal } from './withdrawal.js'

/**
 * Dispute games as `@eth-optimism/contracts-bedrock@0.17.3` defines them: the DisputeGameFactory 1.0.0 and
 * FaultDisputeGame 1.2.0 functions proposers, challengers and clients call, the game status enum, the local
 * data key AlphabetVM reads and the output-proposal `extraData` (`abi.encode(uint256 l2BlockNumber)`,
 * exactly 32 bytes). Pure.
 */
import { decodeAbiParameters, encodeAbiParameters, parseAbi, type Hex } from 'viem'

/** DisputeGameFactory (1.0.0) functions and its creation event. */
export const disputeGameFactoryAbi = parseAbi([
  'function create(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) payable returns (address proxy_)',
  'function games(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) view returns (address proxy_, uint64 timestamp_)',
  'function gameCount() view returns (uint256 gameCount_)',
  'function gameAtIndex(uint256 _index) view returns (uint32 gameType_, uint64 timestamp_, address proxy_)',
  'struct GameSearchResult { uint256 index; bytes32 metadata; uint64 timestamp; bytes32 rootClaim; bytes extraData; }',
  'function findLatestGames(uint32 _gameType, uint256 _start, uint256 _n) view returns (GameSearchResult[] games_)',
  'function initBonds(uint32) view returns (uint256)',
  'function gameImpls(uint32) view returns (address)',
  'event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim)',
  'error GameAlreadyExists(bytes32 uuid)',
  'error NoImplementation(uint32 gameType)',
  'error IncorrectBondAmount()',
])

/**
 * FaultDisputeGame (1.2.0): what the game says about itself, the claim tree, moves, steps, local data,
 * resolution (anyone may call it) and credit, with the custom errors its reverts decode to.
 */
export const faultDisputeGameAbi = parseAbi([
  'function gameType() view returns (uint32)',
  'function rootClaim() pure returns (bytes32)',
  'function l1Head() pure returns (bytes32)',
  'function l2BlockNumber() pure returns (uint256)',
  'function startingBlockNumber() view returns (uint256)',
  'function startingRootHash() view returns (bytes32)',
  'function status() view returns (uint8)',
  'function createdAt() view returns (uint64)',
  'function resolvedAt() view returns (uint64)',
  'function maxGameDepth() view returns (uint256)',
  'function splitDepth() view returns (uint256)',
  'function maxClockDuration() view returns (uint64)',
  'function absolutePrestate() view returns (bytes32)',
  'function claimDataLen() view returns (uint256)',
  'function claimData(uint256) view returns (uint32 parentIndex, address counteredBy, address claimant, uint128 bond, bytes32 claim, uint128 position, uint128 clock)',
  'function resolvedSubgames(uint256) view returns (bool)',
  'function credit(address) view returns (uint256)',
  'function getRequiredBond(uint128 _position) view returns (uint256)',
  'function move(bytes32 _disputed, uint256 _challengeIndex, bytes32 _claim, bool _isAttack) payable',
  'function step(uint256 _claimIndex, bool _isAttack, bytes _stateData, bytes _proof)',
  'function addLocalData(uint256 _ident, uint256 _execLeafIdx, uint256 _partOffset)',
  'function resolveClaim(uint256 _claimIndex, uint256 _numToResolve)',
  'function resolve() returns (uint8 status_)',
  'function claimCredit(address _recipient)',
  'error AlreadyChallenged()',
  'error AnchorRootNotFound()',
  'error BondTransferFailed()',
  'error CannotDefendRootClaim()',
  'error ClaimAboveSplit()',
  'error ClaimAlreadyExists()',
  'error ClaimAlreadyResolved()',
  'error ClockNotExpired()',
  'error ClockTimeExceeded()',
  'error DuplicateStep()',
  'error GameDepthExceeded()',
  'error GameNotInProgress()',
  'error IncorrectBondAmount()',
  'error InvalidDisputedClaimIndex()',
  'error InvalidLocalIdent()',
  'error InvalidParent()',
  'error InvalidPrestate()',
  'error L2BlockNumberChallenged()',
  'error NoCreditToClaim()',
  'error OutOfOrderResolution()',
  'error UnexpectedRootClaim(bytes32 rootClaim)',
  'error ValidStep()',
])

/** `LocalPreimageKey.DISPUTED_L2_BLOCK_NUMBER`: what AlphabetVM reads when stepping from the absolute prestate. */
export const DISPUTED_L2_BLOCK_NUMBER = 4n

/** `GameStatus` of the contracts: 0 IN_PROGRESS, 1 CHALLENGER_WINS, 2 DEFENDER_WINS. */
export const GAME_STATUS = ['IN_PROGRESS', 'CHALLENGER_WINS', 'DEFENDER_WINS'] as const
export type GameStatus = (typeof GAME_STATUS)[number]

/** The name of a `GameStatus` value; throws on a value the contracts do not define. */
export function gameStatusName(status: number): GameStatus {
  const name = GAME_STATUS[status]
  if (!name) throw new Error(`unknown game status ${status}`)
  return name
}

/**
 * An output proposal's `extraData`: `abi.encode(uint256 l2BlockNumber)`.
 * @example
 * proposalExtraData(12n) // '0x000…000c' (32 bytes)
 */
export function proposalExtraData(l2BlockNumber: bigint | number): Hex {
  return encodeAbiParameters([{ type: 'uint256' }], [BigInt(l2BlockNumber)])
}

/** The L2 block number of an output proposal's `extraData`; throws unless it is exactly 32 bytes. */
export function proposalL2Block(extraData: Hex): bigint {
  if (extraData.length !== 66) throw new Error(`expected 32 bytes of extraData, got ${(extraData.length - 2) / 2}`)
  return decodeAbiParameters([{ type: 'uint256' }], extraData)[0]
}

/**
 * What the challenger calls of contracts-bedrock 0.17.3: DisputeGameFactory 1.0.0 (listing games) and
 * FaultDisputeGame 1.2.0 (reading the claim tree, moves, steps, local data, resolution, credit), with the
 * custom errors its reverts decode to.
 */
import { parseAbi } from 'viem'

export const factoryAbi = parseAbi([
  'function gameCount() view returns (uint256)',
  'function gameAtIndex(uint256 _index) view returns (uint32 gameType_, uint64 timestamp_, address proxy_)',
])

export const gameAbi = parseAbi([
  'function gameType() view returns (uint32)',
  'function rootClaim() pure returns (bytes32)',
  'function l1Head() pure returns (bytes32)',
  'function l2BlockNumber() pure returns (uint256)',
  'function startingBlockNumber() view returns (uint256)',
  'function startingRootHash() view returns (bytes32)',
  'function status() view returns (uint8)',
  'function createdAt() view returns (uint64)',
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
  'function resolve() returns (uint8)',
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

/** `GameStatus`: 0 IN_PROGRESS, 1 CHALLENGER_WINS, 2 DEFENDER_WINS. */
export const GAME_STATUS = ['IN_PROGRESS', 'CHALLENGER_WINS', 'DEFENDER_WINS'] as const

/** `LocalPreimageKey.DISPUTED_L2_BLOCK_NUMBER`: what AlphabetVM reads when stepping from the absolute prestate. */
export const DISPUTED_L2_BLOCK_NUMBER = 4n

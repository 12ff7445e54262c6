/**
 * op-devnet: bring up a whole OP Stack rollup on one machine, from code.
 * @example
 * import { startDevnet } from 'op-devnet'
 * await using devnet = await startDevnet({ ports: 'auto' })
 * await devnet.l2().getBlockNumber()
 */
export {
  devnetStatus,
  readDescriptor,
  startDevnet,
  stopFromDescriptor,
  type Devnet,
  type DevnetDescriptor,
  type DevnetEvent,
  type NodeHeads,
  type ServiceDescriptor,
  type StartDevnetOptions,
  readGames,
  viemGame,
  waitForGame,
  resolveGame,
  proveAndFinalize,
  withdrawalRoundTrip,
  type DevnetGame,
  type FinalizedWithdrawal,
} from './devnet/index.js'
export { DevnetError, ServiceError, SpecError, type DevnetErrorCode, type DevnetErrorOptions } from './errors.js'
export { devKeys, type DevKey, type DevKeys, type KeyRole } from './plan/keys.js'
export { planDevnet, type PlanOptions } from './plan/plan.js'
export { chainDuration, chainTime, wallDuration, wallTime, type DevnetClock } from './protocol/clock.js'
export { stablePorts, type NodePorts, type PortMap } from './plan/ports.js'
export { resolvePorts } from './devnet/ports.js'
export type { DevnetPlan, ServicePlan } from './plan/types.js'
export type { ServiceHandle, ServiceState } from './runtime/types.js'
export { defaultTopology, loadTopology, parseTopology, type NodeSpec, type Topology } from './topology/index.js'
export { sweep, type SweepOptions, type SweepResult } from './runtime/docker/index.js'
export {
  applyFault,
  bandwidth,
  batcherOutage,
  batcherResume,
  clearLinkFaults,
  crash,
  failover,
  FAULT_NAMES,
  FAULTS,
  heal,
  l1Halt,
  l1Reorg,
  l1Resume,
  latency,
  loss,
  newFaultState,
  parseFaultOptions,
  partition,
  pause,
  restart,
  resume,
  staleBackend,
  staleBackendResume,
  start,
  stop,
  type FaultCall,
  type FaultContext,
  type FaultDefinition,
  type FaultDevnet,
  type FaultName,
  type FaultState,
} from './faults/index.js'
export { attachFaults, type AttachedFaults } from './faults/attach.js'
export type { FaultRecord } from './devnet/descriptor.js'
export { allInvariants, checkInvariants, invariantIds, type Invariant, type InvariantOptions } from './invariants/index.js'
export { runScenario, type RunScenarioOptions, type RunScenarioReturnType } from './scenario/runner.js'
export { Recorder } from './scenario/recorder.js'
export { planChaos, runChaos, shrinkScenario, type ChaosOptions, type ChaosSchedule, type Intensity, type RunChaosOptions, type RunChaosReturnType, type ShrinkReturnType } from './chaos/index.js'
export { loadScenario, parseScenario, writeHtmlTimeline, writeJUnitReport, writeJsonReport } from './scenario/index.js'
export type { History, HistoryEvent, NodeSample, Violation } from './devnet/history.js'
export type { Scenario, ScenarioResult, Step, StepResult } from './scenario/types.js'

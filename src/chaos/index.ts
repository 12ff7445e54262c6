/** Chaos runs: seeded random fault schedules, their replay as scenario files, and narrowing a failure. */
export { CHAOS_LOAD, chaosTiming, drawableFaults, faultPool, healOf, INTENSITIES, planChaos, type ChaosLoad, type ChaosOptions, type ChaosSchedule, type Intensity, type ScheduledFault } from './schedule.js'
export { replayYaml, type ReplayOptions } from './replay.js'
export { faultsByKind, runChaos, type RunChaosOptions, type RunChaosReturnType } from './run.js'
export { failureOf, faultUnits, shrinkScenario, unitLabel, withoutSteps, type FaultUnit, type ShrinkOptions, type ShrinkReturnType } from './shrink.js'

/** Chaos runs: seeded random fault schedules, their replay as scenario files, and narrowing a failure. */
export { chaosTiming, drawableFaults, faultPool, healOf, INTENSITIES, planChaos, type ChaosOptions, type ChaosSchedule, type Intensity, type ScheduledFault } from './schedule.js'
export { CHAOS_LOAD_RATE, replayYaml, type ReplayOptions } from './replay.js'
export { faultsByKind, runChaos, type RunChaosOptions, type RunChaosReturnType } from './run.js'
export { failureOf, faultUnits, shrinkScenario, unitLabel, withoutSteps, type FaultUnit, type ShrinkOptions, type ShrinkReturnType } from './shrink.js'

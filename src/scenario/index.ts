/** Scenarios: the file format, conditions, recorded history and reports. */
export { loadScenario, parseScenario } from './load.js'
export { scenarioDefaults } from './schema.js'
export { stepDefaults } from './steps.js'
export {
  ConditionError,
  formatCondition,
  formatTerm,
  L1_HEADS,
  L2_HEADS,
  OPERATORS,
  parseCondition,
  parseTerm,
  type Comparison,
  type Condition,
  type ConditionContext,
  type Head,
  type Operator,
  type Term,
} from './condition.js'
export { evaluateCondition, explainCondition, historyView, termValue, type ConditionView } from './evaluate.js'
export { formatDuration, parseDuration } from './duration.js'
export type * from '../devnet/history.js'
export type * from './types.js'
export * from './report/index.js'

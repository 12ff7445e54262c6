/** Value checks for scenario files, in the style of `topology/reader.ts` (which holds the shared ones; fault arguments' are in `faults/checks.ts`). */
import { isScalar } from 'yaml'
import { describe, str, type Check } from '../topology/reader.js'
import { ConditionError, parseCondition, parseTerm, type Condition, type ConditionContext, type Term } from './condition.js'
import { parseDuration } from './duration.js'

/** A duration string (`30s`, `500ms`, `2m`) in milliseconds. */
export const duration: Check<number> = (r, node, path) => {
  const value = isScalar(node) ? node.value : undefined
  const ms = typeof value === 'string' ? parseDuration(value) : undefined
  return ms ?? r.fail(path, r.line(node), `expected a duration like 30s or 500ms, found ${describe(node)}`)
}

/** Milliseconds: an integer >= 1, or a duration string. */
export const millis: Check<number> = (r, node, path) => {
  const value = isScalar(node) ? node.value : undefined
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value
  const ms = typeof value === 'string' ? parseDuration(value) : undefined
  return ms ?? r.fail(path, r.line(node), `expected milliseconds (an integer >= 1) or a duration like 5s, found ${describe(node)}`)
}

/** A condition string, parsed (see `condition.ts`). */
export function condition(context: ConditionContext): Check<Condition> {
  return (r, node, path) => parsed(r, node, path, (text) => parseCondition(text, context))
}

/** A single term (`<node>.<head>`, `$mark`, a number), parsed. */
export function term(context: ConditionContext): Check<Term> {
  return (r, node, path) => parsed(r, node, path, (text) => parseTerm(text, context))
}

function parsed<T>(...[r, node, path, parse]: [...Parameters<Check<T>>, (text: string) => T]): T | undefined {
  const text = str(r, node, path)
  if (text === undefined) return undefined
  try {
    return parse(text)
  } catch (error) {
    if (error instanceof ConditionError) return r.fail(path, r.line(node), error.message)
    throw error
  }
}

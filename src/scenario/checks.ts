/** Value checks for scenario files, in the style of `topology/reader.ts` (which holds the shared ones). */
import { isScalar } from 'yaml'
import { describe, str, type Check } from '../topology/reader.js'
import { ConditionError, parseCondition, parseTerm, type Condition, type ConditionContext, type Term } from './condition.js'
import { parseDuration } from './duration.js'

/** `true` or `false`. */
export const bool: Check<boolean> = (r, node, path) => {
  const value = isScalar(node) ? node.value : undefined
  if (typeof value === 'boolean') return value
  return r.fail(path, r.line(node), `expected true or false, found ${describe(node)}`)
}

/** A number in `(min, max]` (integers or decimals). */
export function number(min: number, max = Infinity): Check<number> {
  const expected = max === Infinity ? `a number > ${min}` : `a number > ${min} and <= ${max}`
  return (r, node, path) => {
    const value = isScalar(node) ? node.value : undefined
    if (typeof value === 'number' && value > min && value <= max) return value
    return r.fail(path, r.line(node), `expected ${expected}, found ${describe(node)}`)
  }
}

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

/** One of `names`, with `what` naming the kind of thing in the message (`unknown service "x"; …`). */
export function member(what: string, names: readonly string[]): Check<string> {
  return (r, node, path) => {
    const value = str(r, node, path)
    if (value === undefined || names.includes(value)) return value
    return r.fail(path, r.line(node), `unknown ${what} ${JSON.stringify(value)}; expected one of: ${names.join(', ')}`)
  }
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

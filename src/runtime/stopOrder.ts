/**
 * The order in which a runtime stops a devnet's services: each once every service that depends on it has
 * stopped (`ServicePlan.dependsOn`), side by side otherwise. A rollup node then stops while its L1 still
 * answers, as in reverse start order, but the services of one layer no longer wait for each other: on
 * docker each stop is an engine round trip of 200-370 ms (stop, inspect, remove), and nine of them in a row
 * took 2.5 s of every `stopAll`.
 */

/** What the order needs of a started service. */
export interface Stoppable {
  readonly name: string
  readonly plan: { readonly dependsOn: readonly string[] }
}

/**
 * Stops `services` with `stop`, dependents first; `last` (runtime machinery every service relies on, such as
 * the link proxy process) stop after all the others. Resolves once every stop has settled, with the
 * failures (a failed stop still lets its dependencies stop).
 * @example
 * const failures = await stopDependentsFirst(services, (s) => s.stop())
 */
export async function stopDependentsFirst<S extends Stoppable>(services: readonly S[], stop: (service: S) => Promise<void>, last: (service: S) => boolean = () => false): Promise<unknown[]> {
  const failures: unknown[] = []
  const done = new Map<S, Promise<void>>()
  // A service's dependents: those naming it in `dependsOn`; for machinery, every other service. A name can
  // occur more than once (a service started again after it exited): each instance counts.
  const dependents = (service: S): S[] =>
    last(service) ? services.filter((s) => !last(s)) : services.filter((s) => s !== service && s.plan.dependsOn.includes(service.name))
  const settle = (service: S, path: ReadonlySet<S>): Promise<void> => {
    const known = done.get(service)
    if (known) return known
    // A cycle cannot be started, so a plan has none; if one came anyway, its members stop without waiting on it.
    const before = dependents(service).filter((d) => !path.has(d))
    const next = new Set(path).add(service)
    const stopped = Promise.all(before.map((d) => settle(d, next))).then(() => stop(service).catch((error: unknown) => void failures.push(error)))
    done.set(service, stopped)
    return stopped
  }
  await Promise.all(services.map((s) => settle(s, new Set())))
  return failures
}

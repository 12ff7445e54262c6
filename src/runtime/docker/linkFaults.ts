/**
 * Link faults of the docker runtime, by one of two mechanisms chosen once per runtime:
 * - `tc netem` (or nftables for loss alone) in the target's network namespace (`linkFault.ts`);
 * - link proxies in the containers (`linkProxies.ts`), when the kernel has no `sch_netem`
 *   (`linkProxies: 'auto'`) or when asked (`'always'`). Every lite container with links then runs them.
 * Faults are kept per service and re-applied after a restart or a resume (a paused container is skipped).
 */
import type Docker from 'dockerode'
import { DevnetError } from '../../errors.js'
import { resolveLinks } from '../../plan/links.js'
import type { ServicePlan } from '../../plan/types.js'
import type { LinkFault, LinkFaultResult } from '../types.js'
import { applyLinkFault } from './linkFault.js'
import { hasLinkProxy, netemAvailable, netemAvailableCached, proxiedPlan, setProxyFault } from './linkProxies.js'
import type { DockerService } from './service.js'

export interface LinkFaultsContext {
  docker: Docker
  /** Image of the helpers (node, `tc`, `nft`). */
  toolsImage: string
  linkProxies: 'auto' | 'always' | 'never'
  /** Where the netem probe's answer is kept per engine and kernel (none: probe each time). */
  probeCacheDir?: string
  seed: string
  labels(kind: string, service?: string): Record<string, string>
  services(): readonly DockerService[]
}

export class LinkFaults {
  readonly #faults = new Map<string, LinkFault>()
  /** Services whose fault was ever set or cleared (a resumed container's proxies get their state now). */
  readonly #touched = new Set<string>()
  #proxies?: Promise<boolean>

  constructor(readonly ctx: LinkFaultsContext) {}

  /** Whether links go through in-container proxies (decided at the first service with links). */
  proxies(): Promise<boolean> {
    const { linkProxies } = this.ctx
    const { docker, toolsImage, probeCacheDir } = this.ctx
    const probe = () => (probeCacheDir ? netemAvailableCached(docker, toolsImage, this.ctx.labels('helper'), probeCacheDir) : netemAvailable(docker, toolsImage, this.ctx.labels('helper')))
    this.#proxies ??= linkProxies === 'auto' ? probe().then((netem) => !netem) : Promise.resolve(linkProxies === 'always')
    return this.#proxies
  }

  /** The plan as its container runs it: links straight to their targets by name, or through proxies. */
  async plan(plan: ServicePlan): Promise<ServicePlan> {
    if (plan.program === 'lite' && plan.links.length && (await this.proxies())) return proxiedPlan(plan, this.ctx.seed)
    return resolveLinks(plan, (link) => link.target)
  }

  /** Sets (or clears) a fault on what `service` sends. */
  async set(service: DockerService, fault: LinkFault | undefined): Promise<LinkFaultResult> {
    for (const [key, value] of Object.entries(fault ?? {})) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (key === 'lossPercent' && value > 100))) {
        throw new DevnetError(`invalid link fault ${key}=${String(value)} for service "${service.name}"`, { code: 'DEVNET_USAGE', details: 'delayMs, jitterMs and bandwidthKbps are >= 0, lossPercent is 0-100' })
      }
    }
    const clear = !fault || !(fault.delayMs || fault.jitterMs || fault.lossPercent || fault.bandwidthKbps)
    const previous = this.#faults.get(service.name)
    if (clear) this.#faults.delete(service.name)
    else this.#faults.set(service.name, { ...fault })
    this.#touched.add(service.name)
    try {
      if (await this.#viaProxies()) {
        // The service's own links shape its requests; links to it, in the other containers, its answers.
        // A paused container cannot answer (its proxies are frozen with it): they get the faults on resume.
        const ids: string[] = []
        for (const s of this.#proxied()) {
          if (s.state() !== 'paused') ids.push(...(await setProxyFault(s.dir, service.name, clear ? undefined : fault)))
        }
        return { via: 'proxy', detail: `${clear ? 'cleared' : JSON.stringify(fault)} on ${ids.length} link(s): ${ids.join(', ')}` }
      }
      if (!service.alive() || !service.container) return { via: 'netem', detail: 'applied when the service starts' }
      if (clear && !previous) return { via: 'netem', detail: 'no fault to clear' }
      const detail = await this.#netem(service, clear ? undefined : fault)
      return { via: detail.startsWith('nftables') ? 'nftables' : 'netem', detail }
    } catch (error) {
      if (previous) this.#faults.set(service.name, previous)
      else this.#faults.delete(service.name)
      throw error
    }
  }

  /** After a (re)start or a resume: the service's netem fault, or every fault (and clear) into its link proxies. */
  async reapply(service: DockerService): Promise<void> {
    if (!service.alive()) return
    if (hasLinkProxy(service.plan)) {
      for (const name of this.#touched) await setProxyFault(service.dir, name, this.#faults.get(name))
      return
    }
    const fault = this.#faults.get(service.name)
    if (fault && !(await this.#viaProxies())) await this.#netem(service, fault)
  }

  /** Proxies carry faults once a container runs them; a devnet of anvils only (no links) keeps netem/nftables. */
  async #viaProxies(): Promise<boolean> {
    return (await this.proxies()) && this.#proxied().length > 0
  }

  #proxied(): DockerService[] {
    return this.ctx.services().filter((s) => s.alive() && hasLinkProxy(s.plan))
  }

  #netem(service: DockerService, fault: LinkFault | undefined): Promise<string> {
    return applyLinkFault(this.ctx.docker, { target: service.id, fault, image: this.ctx.toolsImage, labels: this.ctx.labels('helper', service.name), service: service.name })
  }
}

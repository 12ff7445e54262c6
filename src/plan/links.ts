/**
 * Links: every connection a service makes to another service's port goes through a link the plan
 * declares (`ServicePlan.links`), and the plan writes a placeholder wherever the address goes (args, env,
 * files). The runtime substitutes each placeholder with `resolveLinks`:
 *
 * - `{{link:<to>:<port>}}` becomes `host:port` (write `http://{{link:l1:rpc}}` for a URL);
 * - `{{link-multiaddr:<to>:<port>}}` becomes `/ip4/<ip>/tcp/<port>` (or `/dns4/<name>/tcp/<port>`).
 *
 * The process runtime gives the address of the link's own loopback proxy (so faults can act on that one
 * link); docker gives the target (`<devnet>-<service>:<port>`, as before).
 */
import { isIP } from 'node:net'
import { DevnetError } from '../errors.js'
import type { LinkPlan, ServicePlan } from './types.js'

/** Placeholder of the `host:port` of the link to `to`'s port `port`. */
export const linkRef = (to: string, port: string) => `{{link:${to}:${port}}}`

/** Placeholder of the TCP multiaddr of the link to `to`'s port `port`. */
export const linkMultiaddrRef = (to: string, port: string) => `{{link-multiaddr:${to}:${port}}}`

const placeholder = /\{\{(link|link-multiaddr):([^:}]+):([^:}]+)\}\}/g

/** An address a link resolves to. */
export interface LinkAddress {
  host: string
  port: number
}

/**
 * The plan with every link placeholder replaced by `address(link)`.
 * @throws DevnetError (`DEVNET_INTERNAL`) for a placeholder naming a link the plan does not declare.
 * @example
 * resolveLinks(plan, (link) => link.target) // docker: straight to the target
 */
export function resolveLinks(plan: ServicePlan, address: (link: LinkPlan) => LinkAddress): ServicePlan {
  const sub = (text: string) =>
    text.replace(placeholder, (_match, kind: string, to: string, port: string) => {
      const link = plan.links.find((l) => l.to === to && l.port === port)
      if (!link) throw new DevnetError(`service "${plan.name}" uses link ${to}:${port}, which its plan does not declare`, { code: 'DEVNET_INTERNAL' })
      const { host, port: number } = address(link)
      if (kind === 'link') return `${host}:${number}`
      return `/${isIP(host) === 6 ? 'ip6' : isIP(host) === 4 ? 'ip4' : 'dns4'}/${host}/tcp/${number}`
    })
  const map = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, sub(v)]))
  return { ...plan, args: plan.args.map(sub), env: map(plan.env), files: map(plan.files) }
}

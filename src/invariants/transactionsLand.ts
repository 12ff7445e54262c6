import type { Invariant } from './types.js'

/**
 * Every transaction a load step got a hash for lands: its `load` note (written when the load ends, see
 * `scenario/traffic.ts`) lists no `missing` hash. Landing once is then given by the chain: an account's
 * nonce admits one transaction each.
 */
export const transactionsLand: Invariant = {
  id: 'transactionsLand',
  description: 'every transaction a client got a hash for lands in a block',
  check(history) {
    return history.events.flatMap((event) => {
      const missing = event.kind === 'note' && event.name === 'load' ? event.details?.missing : undefined
      if (!Array.isArray(missing) || !missing.length) return []
      const on = event.targets?.[0]
      return [
        {
          invariant: this.id,
          t: event.t,
          ...(on && on !== 'proxyd' ? { node: on } : {}),
          message: `${missing.length} of ${String(event.details?.sent)} accepted transactions sent to ${on ?? 'the sequencer'} never landed: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`,
          evidence: [event],
        },
      ]
    })
  },
}

/**
 * go-libp2p-pubsub's "respawn the writer" for js gossipsub. Two nodes that dialled each other (discovery
 * does, from both sides) hold two connections; when the one carrying a gossipsub stream closes (the ping
 * monitor, a proxy) while the other stays open, go-libp2p-pubsub opens a new stream on the remaining
 * connection ("peer declared dead but still connected"). js gossipsub does not: the peer keeps no outbound
 * stream (or is dropped altogether when its inbound stream broke), and nothing is gossiped to it until a
 * new connection, which never comes while one is open. Here gossipsub is told of the remaining connection
 * as of a new one; it opens what is missing.
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

/** The parts of gossipsub's implementation, beyond its public interface, this needs. */
interface GossipsubInternals {
  peers: Map<string, PeerId>
  streamsOutbound: Map<string, unknown>
  onPeerConnected(peerId: PeerId, connection: Connection): void
}

/** How long after a connection closed the check runs (gossipsub handles the close first). */
const SETTLE_MS = 250

/**
 * Keeps a gossipsub writer to every peer that stays connected after one of its connections closed.
 * @returns Stops watching.
 */
export function respawnGossipWriters(node: Libp2p, pubsub: unknown): () => void {
  const gossipsub = pubsub as GossipsubInternals
  const timers = new Set<NodeJS.Timeout>()
  const onClose = ({ detail: closed }: CustomEvent<Connection>) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      const open = node.getConnections(closed.remotePeer).find((c) => c.status === 'open')
      const id = closed.remotePeer.toString()
      if (open === undefined || (gossipsub.peers.has(id) && gossipsub.streamsOutbound.has(id))) return
      gossipsub.onPeerConnected(closed.remotePeer, open)
    }, SETTLE_MS)
    timers.add(timer)
  }
  node.addEventListener('connection:close', onClose)
  return () => {
    node.removeEventListener('connection:close', onClose)
    for (const timer of timers) clearTimeout(timer)
  }
}

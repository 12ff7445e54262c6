/**
 * go-libp2p-pubsub's "respawn the writer" for js gossipsub: every connected peer keeps a gossipsub writer
 * (outbound stream) on an open connection.
 *
 * 1. Two nodes that dialled each other (discovery does, from both sides) hold two connections; when the one
 *    carrying a gossipsub stream closes (the ping monitor, a proxy) while the other stays open,
 *    go-libp2p-pubsub opens a new stream on the remaining connection ("peer declared dead but still
 *    connected"). js gossipsub does not: the peer keeps no outbound stream (or is dropped altogether when
 *    its inbound stream broke), and nothing is gossiped to it until a new connection, which never comes
 *    while one is open.
 * 2. A peer that hung up and dialled again: js gossipsub sometimes still holds the writer of the closed
 *    connection (its stream never reported the close), and opens none on the new one ("an outbound stream
 *    already exists"). Everything it publishes goes to the dead stream: in `p2p.test.ts` a redialled
 *    static peer got nothing for 10 s in 4 of 6 runs of the file.
 *
 * So, shortly after a connection opens or closes, a peer with an open connection and no writer on an open
 * connection loses its stale writer, and gossipsub is told of the open connection as of a new one; it
 * opens what is missing.
 */
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

/** The parts of gossipsub's implementation, beyond its public interface, this needs. */
interface GossipsubInternals {
  peers: Map<string, PeerId>
  streamsOutbound: Map<string, { rawStream?: unknown; close(): Promise<void> }>
  onPeerConnected(peerId: PeerId, connection: Connection): void
}

/** How long after a connection opened or closed the check runs (gossipsub handles the event first). */
const SETTLE_MS = 250

/**
 * Keeps a gossipsub writer on an open connection to every connected peer.
 * @returns Stops watching.
 */
export function respawnGossipWriters(node: Libp2p, pubsub: unknown): () => void {
  const gossipsub = pubsub as GossipsubInternals
  const timers = new Set<NodeJS.Timeout>()
  const check = (peer: PeerId) => {
    const open = node.getConnections(peer).filter((c) => c.status === 'open')
    if (open.length === 0) return
    const id = peer.toString()
    const writer = gossipsub.streamsOutbound.get(id)
    if (gossipsub.peers.has(id) && writer !== undefined && open.some((c) => (c.streams as unknown[]).includes(writer.rawStream))) return
    if (writer !== undefined) {
      gossipsub.streamsOutbound.delete(id) // the writer of a closed connection
      writer.close().catch(() => {})
    }
    gossipsub.onPeerConnected(peer, open[0]!)
  }
  const onEvent = ({ detail: connection }: CustomEvent<Connection>) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      check(connection.remotePeer)
    }, SETTLE_MS)
    timers.add(timer)
  }
  node.addEventListener('connection:close', onEvent)
  node.addEventListener('connection:open', onEvent)
  return () => {
    node.removeEventListener('connection:close', onEvent)
    node.removeEventListener('connection:open', onEvent)
    for (const timer of timers) clearTimeout(timer)
  }
}

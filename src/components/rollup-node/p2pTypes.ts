/** The JSON shapes of op-node's `opp2p_*` API (field names exactly as op-node writes them). */

/** Per-topic gossip score parts. */
export interface TopicScores { timeInMesh: number; firstMessageDeliveries: number; meshMessageDeliveries: number; invalidMessageDeliveries: number }

/** op-node's `PeerScores` JSON (`blocks` sums this node's topics; `timeInMesh` in seconds). */
export interface PeerScores {
  gossip: { total: number; blocks: TopicScores; IPColocationFactor: number; behavioralPenalty: number }
  reqResp: { validResponses: number; errorResponses: number; rejectedPayloads: number }
}

/**
 * op-node's `PeerInfo` JSON. `connectedness`/`direction` are go-libp2p enums (0 NotConnected, 1 Connected;
 * 0 Unknown, 1 Inbound, 2 Outbound); `latency` is in nanoseconds; `ENR` is empty (no discv5).
 */
export interface PeerInfo {
  peerID: string; nodeID: string; userAgent: string; protocolVersion: string; ENR: string
  addresses: string[]; protocols: string[] | null; connectedness: number; direction: number; protected: boolean
  chainID: number; latency: number; gossipBlocks: boolean; scores: PeerScores
}

/** op-node's `PeerDump` JSON. */
export interface PeerDump {
  totalConnected: number; peers: Record<string, PeerInfo>; bannedPeers: string[]; bannedIPS: string[]; bannedSubnets: string[]
}

/** op-node's `PeerStats` JSON (`blocksTopic…` count peers subscribed to `/optimism/<chain>/<0..3>/blocks`). */
export interface PeerStats {
  connected: number; table: number; blocksTopic: number; blocksTopicV2: number; blocksTopicV3: number
  blocksTopicV4: number; banned: number; known: number
}

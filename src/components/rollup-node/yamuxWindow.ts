/**
 * Yamux receive-window updates as go-yamux (op-node's muxer) sends them: only once half the window is
 * used, or with a flag to send. js-libp2p's yamux (@chainsafe/libp2p-yamux 8) answers every data frame it
 * reads with a window update, so each gossip message cost a second frame on the wire, back the other way:
 * yamux encoding, a noise encryption, a socket write, and on the peer a read, a decryption and its handling.
 * go-yamux's `segmentedBuffer.GrowTo` skips the update while the consumed part is under half the window.
 * Flow control is unchanged: the sender still has half a window (128 KiB at the start) when the update
 * comes. Installed once per process, by the libp2p host (`p2p.ts`).
 */
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

/** The fields of a yamux stream the rule reads (private in the typings, plain properties at run time). */
interface WindowState {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
}

let installed = false

/**
 * Makes every yamux stream of this process send a window update only as go-yamux does: when at least half
 * of its receive window is used, or when a SYN/ACK flag must go out (the stream's first frames), or while
 * paused (js-yamux's own bookkeeping then). Idempotent.
 */
export function installGoYamuxWindowUpdates(): void {
  if (installed) return
  installed = true
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate(this: WindowState): void }
  const update = proto.sendWindowUpdate
  proto.sendWindowUpdate = function (this: WindowState) {
    const flagDue = this.state === StreamState.Init || this.state === StreamState.SYNReceived
    if (!flagDue && this.state !== StreamState.Paused && this.recvWindow - this.recvWindowCapacity < this.recvWindow / 2) return
    update.call(this)
  }
}

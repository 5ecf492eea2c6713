/** What {@link TcpFramer.next} returns for a zero-length frame: the client is done (gdnsd closes). */
export const CLOSE_FRAME: Uint8Array = new Uint8Array(0)

/**
 * RFC 1035 §4.2.2 / RFC 7766 framing of a TCP byte stream: each message follows its 2-byte
 * length. Chunks arrive split anywhere (inside the length prefix too); frames come out whole,
 * as views (no copy) into the chunk when a frame lies within one chunk. Pull-based, so a
 * connection under backpressure simply stops asking for frames.
 *
 * Memory is bounded by one partial frame (≤ 65,537 bytes) plus the chunk being read.
 *
 * @example
 * ```ts
 * const framer = new TcpFramer()
 * socket.on('data', (chunk) => {
 *   framer.push(chunk)
 *   for (let frame = framer.next(); frame !== undefined; frame = framer.next()) {
 *     if (frame === CLOSE_FRAME) return socket.end()
 *     handle(frame)
 *   }
 * })
 * ```
 */
export class TcpFramer {
  #buf: Uint8Array = CLOSE_FRAME
  #start = 0
  #end = 0

  /** Bytes held that are not yet a whole frame. */
  get buffered(): number {
    return this.#end - this.#start
  }

  /**
   * Adds a chunk read from the socket. The framer may keep a view of it until its frames are
   * taken, so the caller must not reuse the chunk's memory (Node's socket chunks are fresh).
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    if (this.#start === this.#end) {
      this.#buf = chunk
      this.#start = 0
      this.#end = chunk.length
      return
    }
    const held = this.#end - this.#start
    const joined = new Uint8Array(held + chunk.length)
    joined.set(this.#buf.subarray(this.#start, this.#end), 0)
    joined.set(chunk, held)
    this.#buf = joined
    this.#start = 0
    this.#end = joined.length
  }

  /**
   * The next whole frame, {@link CLOSE_FRAME} for a zero-length one, or `undefined` until more
   * bytes arrive. A frame is a view valid until the next {@link TcpFramer.push}.
   */
  next(): Uint8Array | undefined {
    const available = this.#end - this.#start
    if (available < 2) return undefined
    const buf = this.#buf
    const length = ((buf[this.#start] as number) << 8) | (buf[this.#start + 1] as number)
    if (length === 0) {
      this.#start += 2
      return CLOSE_FRAME
    }
    if (available - 2 < length) return undefined
    const from = this.#start + 2
    this.#start = from + length
    if (this.#start === this.#end) {
      // drop the reference so an idle connection holds no chunk
      const frame = buf.subarray(from, from + length)
      this.#buf = CLOSE_FRAME
      this.#start = 0
      this.#end = 0
      return frame
    }
    return buf.subarray(from, from + length)
  }
}

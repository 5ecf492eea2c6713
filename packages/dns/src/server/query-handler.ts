/** Where a query came from, as the responder needs it. One object can be reused from query to query. */
export interface ClientInfo {
  /** The peer's IP address, as the socket reports it. */
  address: string
  /** The peer's port; a query from port 0 gets no reply. */
  port: number
  /** The transport the query arrived on: RRL and size limits apply to UDP only. */
  transport: 'udp' | 'tcp'
}

/**
 * What the UDP and TCP listeners call for each message: the reply's bytes, or `undefined` for
 * no reply. The bytes may be a view of a buffer the handler reuses: the listener copies them
 * before the next call. Must not throw.
 */
export interface QueryHandler {
  answer(packet: Uint8Array, client: ClientInfo): Uint8Array | undefined
}

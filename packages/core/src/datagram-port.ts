/**
 * Where a datagram comes from or goes to: `"host:port"` for IP (`"127.0.0.1:7946"`,
 * `"[::1]:7946"`), or a node's name on a simulated network.
 */
export type DatagramAddress = string

/** Receives the datagrams that arrive at a {@link DatagramPort}. */
export type DatagramHandler = (data: Uint8Array, from: DatagramAddress) => void

/**
 * The transport contract of protocol adapters: an unreliable, unordered datagram endpoint. A
 * protocol's Node adapter drives its sans-IO core through a UDP implementation; `@shoal/netsim`
 * provides one on a simulated network, so the same adapter code runs under faults in tests.
 *
 * Datagrams may be lost, duplicated, delayed or reordered; `send` never throws for a network
 * problem (it is counted and the datagram dropped), only for misuse (a closed port, a malformed
 * address).
 */
export interface DatagramPort {
  /** The address peers reach this port at. */
  readonly address: DatagramAddress
  /** Sends `data` to `to`, best effort. */
  send(to: DatagramAddress, data: Uint8Array): void
  /** Sets the handler of arriving datagrams (one handler; setting another replaces it). */
  onDatagram(handler: DatagramHandler): void
  /** Stops receiving and releases the port. */
  close(): Promise<void>
}

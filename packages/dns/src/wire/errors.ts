import { ShoalError } from '@shoal/core'

/**
 * Why a packet cannot be answered as a query: thrown by `decodeQuery` and `decodeMessage`, and
 * by nothing else in the codec.
 *
 * `rcode` says what a server does with the packet: `1` (FORMERR) when the header is a query's
 * and a reply is due, `undefined` when the packet must be dropped without a reply (shorter than
 * a header, or a response: answering those would loop between servers and reflect traffic).
 * `offset` is where in the packet the decoder stopped.
 *
 * @example
 * ```ts
 * try {
 *   query = decodeQuery(packet)
 * } catch (err) {
 *   if (!isShoalError(err, 'ERR_DNS_DECODE')) throw err
 *   const reply = (err as DnsDecodeError).rcode === undefined ? undefined : writer.error(packet, Rcode.FORMERR)
 * }
 * ```
 */
export class DnsDecodeError extends ShoalError {
  /** The response code a reply carries (`1`, FORMERR), or `undefined` when no reply is due. */
  readonly rcode: number | undefined
  /** The offset in the packet where decoding stopped. */
  readonly offset: number

  /**
   * @param message - what is wrong with the packet
   * @param rcode - `1` when a FORMERR reply is due, `undefined` to drop the packet
   * @param offset - where in the packet decoding stopped
   */
  constructor(message: string, rcode: number | undefined, offset: number) {
    super('ERR_DNS_DECODE', message, { details: { rcode, offset } })
    this.rcode = rcode
    this.offset = offset
  }
}

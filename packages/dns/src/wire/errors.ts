import { ShoalError } from '@shoal/core'

/** The OPT record of a query that failed to decode, as far as it was read. */
export interface DecodedOpt {
  /** The requester's UDP payload size as sent. */
  readonly payloadSize: number
  /** The DO bit (RFC 3225), copied into the reply's OPT. */
  readonly dnssecOk: boolean
}

/**
 * Why a packet cannot be answered as a query: thrown by `decodeQuery` and `decodeMessage`, and
 * by nothing else in the codec.
 *
 * `rcode` says what a server does with the packet: `1` (FORMERR) when the header is a query's
 * and a reply is due, `undefined` when the packet must be dropped without a reply (shorter than
 * a header, or a response: answering those would loop between servers and reflect traffic).
 * `offset` is where in the packet the decoder stopped. `questionEnd` and `edns` say what was
 * read before the failure, so the FORMERR reply can echo the question and carry an OPT record
 * (RFC 6891 §6.1.1) as gdnsd's does.
 *
 * @example
 * ```ts
 * try {
 *   query = decodeQuery(packet)
 * } catch (err) {
 *   if (!isShoalError(err, 'ERR_DNS_DECODE')) throw err
 *   const e = err as DnsDecodeError
 *   const reply = e.rcode === undefined ? undefined : writer.error(packet, Rcode.FORMERR, e)
 * }
 * ```
 */
export class DnsDecodeError extends ShoalError {
  /** The response code a reply carries (`1`, FORMERR), or `undefined` when no reply is due. */
  readonly rcode: number | undefined
  /** The offset in the packet where decoding stopped. */
  readonly offset: number
  /**
   * The question's bytes are `packet[12, questionEnd)` when the question was read before the
   * failure; `questionEnd` is 12 when it was not.
   */
  readonly questionEnd: number
  /** The query's OPT record when one was read before the failure, else `undefined`. */
  readonly edns: DecodedOpt | undefined

  /**
   * @param message - what is wrong with the packet
   * @param rcode - `1` when a FORMERR reply is due, `undefined` to drop the packet
   * @param offset - where in the packet decoding stopped
   * @param questionEnd - where the question read before the failure ends (12: none was read)
   * @param edns - the OPT record read before the failure, if any
   */
  constructor(
    message: string,
    rcode: number | undefined,
    offset: number,
    questionEnd = 12,
    edns: DecodedOpt | undefined = undefined,
  ) {
    super('ERR_DNS_DECODE', message, { details: { rcode, offset } })
    this.rcode = rcode
    this.offset = offset
    this.questionEnd = questionEnd
    this.edns = edns
  }
}

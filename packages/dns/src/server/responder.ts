import { type Clock, isShoalError, systemClock } from '@shoal/core'
import { Opcode, QUESTION_NAME, Rcode, RRClass, RRType, Section } from '../wire/constants.js'
import type { DnsDecodeError } from '../wire/errors.js'
import { type DnsQuery, decodeQuery, udpLimit } from '../wire/query.js'
import { encodeHINFO } from '../wire/rdata.js'
import { ResponseWriter } from '../wire/writer.js'
import type { RRset } from '../zone/rrset.js'
import type { Zone } from '../zone/zone.js'
import type { CookieVerdict, ServerCookies } from './cookies.js'
import { DnsCounters } from './counters.js'
import { parseIpBytes } from './ip-bytes.js'
import type { ClientInfo, QueryHandler } from './query-handler.js'
import { clientPrefixKey, type ResponseRateLimiter, type RrlClass } from './rrl.js'
import type { DynamicOutcome, ServingData } from './serving.js'

/** Settings of a {@link Responder}. */
export interface ResponderOptions {
  /** The zones and dynamic names served (one immutable object; see `compileServing`). */
  readonly serving: ServingData
  /** The largest UDP reply (default 1232, DNS Flag Day 2020). */
  readonly maxUdpPayload?: number | undefined
  /** NSID (RFC 5001) sent to queries that ask for it. */
  readonly nsid?: Uint8Array | undefined
  /** TCP idle timeout advertised with edns-tcp-keepalive (RFC 7828), in ms (default 10 000). */
  readonly tcpIdleTimeoutMs?: number | undefined
  /** Response rate limiting for UDP, off when absent. */
  readonly rrl?: ResponseRateLimiter | undefined
  /** DNS cookies, off when absent (COOKIE options are then ignored, RFC 7873 §5.2). */
  readonly cookies?: ServerCookies | undefined
  /** gdnsd's `max_nocookie_response`: UDP replies to queries without a valid server cookie are truncated above this size. */
  readonly maxNoCookieResponse?: number | undefined
  /** Answer BADCOOKIE to a UDP query whose server cookie is not valid (RFC 7873 §5.2.4; default false: answer normally). */
  readonly badCookie?: boolean | undefined
  /** Where counts go (default a new set). */
  readonly counters?: DnsCounters | undefined
  /** Time, for cookies and RRL (default the system clock). */
  readonly clock?: Clock | undefined
}

/** The TTL of the synthetic HINFO answer to ANY (RFC 8482 §4.2 leaves it to the server; gdnsd's choice). */
const ANY_TTL = 3600
const HINFO_RFC8482 = [encodeHINFO('RFC8482', '')]
const NO_GLUE: readonly RRset[] = []

/** The parts of a reply's OPT record the responder sets (a mutable `ReplyOpt`, reused). */
interface MutableOpt {
  payloadSize: number
  ecsScope: number
  serverCookie: Uint8Array | undefined
  nsid: Uint8Array | undefined
  keepalive: number | undefined
}

/**
 * The authoritative answer to one DNS message: a pure function of the packet, the client
 * (address, port, transport) and the compiled zones and pools, with the counters, RRL and cookie
 * state it is given. It composes the strict wire codec, the zones and the selection pipeline,
 * and answers as gdnsd does (research §5):
 *
 * - no reply to a response (QR=1), a packet shorter than a header, or a source port of 0;
 * - FORMERR to a malformed query (QDCOUNT other than 1, two OPT records, a client-subnet option
 *   with bits beyond its prefix or a non-zero scope, …), echoing the question and an OPT record
 *   when the decoder read them before the fault, NOTIMP to an opcode other than QUERY (and to zone transfers),
 *   BADVERS with an OPT to an EDNS version above 0, REFUSED (AA clear) to a name in no zone or a
 *   class other than IN;
 * - NXDOMAIN or an empty NOERROR with the zone's SOA in the authority section, its TTL the lower
 *   of the SOA's TTL and MINIMUM; the first CNAME only (never a chain, RFC 7871 advice); one
 *   synthetic HINFO "RFC8482" to ANY (RFC 8482); referrals with glue (AA clear);
 * - EDNS: the OPT echoed, replies sized to the client's buffer (512 at least) capped at 1232,
 *   truncation that drops whole RRsets and keeps the OPT, the client subnet echoed with the
 *   selection's scope (0 for static data and negative answers), cookies, NSID, keepalive;
 * - RRL on UDP (TCP and queries with a valid server cookie are exempt).
 *
 * `answer` never throws: a failure it did not foresee is counted as a drop.
 *
 * @example
 * ```ts
 * const responder = new Responder({ serving: buildServing([parseZone(text, { origin: 'example.com' })]) })
 * const reply = responder.answer(packet, { address: '192.0.2.1', port: 5353, transport: 'udp' })
 * ```
 */
export class Responder implements QueryHandler {
  /** The counters this responder updates. */
  readonly counters: DnsCounters
  readonly #serving: ServingData
  readonly #maxUdp: number
  readonly #nsid: Uint8Array | undefined
  readonly #keepalive: number
  readonly #rrl: ResponseRateLimiter | undefined
  readonly #cookies: ServerCookies | undefined
  readonly #maxNoCookie: number
  readonly #badCookie: boolean
  readonly #clock: Clock
  readonly #writer = new ResponseWriter()
  readonly #opt: MutableOpt = {
    payloadSize: 1232,
    ecsScope: 0,
    serverCookie: undefined,
    nsid: undefined,
    keepalive: undefined,
  }
  readonly #ip = new Uint8Array(16)
  readonly #ip4 = this.#ip.subarray(0, 4)
  #ipFamily: 0 | 4 | 6 = 0
  readonly #dynamic: DynamicOutcome = {
    kind: 'none',
    type: 0,
    ttl: 0,
    scope: 0,
    rdatas: [],
    pool: '',
    ids: [],
  }
  readonly #additional = new WeakMap<RRset, readonly RRset[]>()

  /** @param options - what to serve and how */
  constructor(options: ResponderOptions) {
    this.#serving = options.serving
    this.#maxUdp = options.maxUdpPayload ?? 1232
    this.#nsid = options.nsid
    this.#keepalive = Math.min(0xffff, Math.round((options.tcpIdleTimeoutMs ?? 10_000) / 100))
    this.#rrl = options.rrl
    this.#cookies = options.cookies
    // no reply limit may go below 512 bytes (RFC 1035 §2.3.4)
    this.#maxNoCookie =
      options.maxNoCookieResponse === undefined ? 0 : Math.max(512, options.maxNoCookieResponse)
    this.#badCookie = options.badCookie === true
    this.counters = options.counters ?? new DnsCounters()
    this.#clock = options.clock ?? systemClock
    this.#opt.payloadSize = this.#maxUdp
    this.#opt.nsid = this.#nsid
  }

  /** The zones and dynamic names this responder serves. */
  get serving(): ServingData {
    return this.#serving
  }

  /**
   * The reply to `packet` from `client`, or `undefined` for none. The bytes are a view of a
   * buffer reused by the next call: send or copy them first.
   */
  answer(packet: Uint8Array, client: ClientInfo): Uint8Array | undefined {
    const values = this.counters.values
    if (client.transport === 'udp') values.udpQueries++
    else values.tcpQueries++
    try {
      return this.#answer(packet, client)
    } catch {
      // nothing here should throw; if something does, the query is dropped, never the process
      values.dropped++
      return undefined
    }
  }

  #answer(packet: Uint8Array, client: ClientInfo): Uint8Array | undefined {
    const values = this.counters.values
    this.#ipFamily = 0
    if (client.port === 0) {
      values.dropped++
      return undefined
    }
    let query: DnsQuery
    try {
      query = decodeQuery(packet)
    } catch (error) {
      if (!isShoalError(error, 'ERR_DNS_DECODE') || (error as DnsDecodeError).rcode === undefined) {
        values.dropped++
        return undefined
      }
      if (this.#limited(client, 'error', '', false)) return undefined
      values.formerr++
      // the question and the OPT record, as far as they were read, are echoed (RFC 6891 §6.1.1)
      return this.#writer.error(packet, Rcode.FORMERR, error as DnsDecodeError, this.#opt)
    }
    const udp = client.transport === 'udp'
    const edns = query.edns
    if (edns !== undefined) {
      values.edns++
      if (edns.dnssecOk) values.ednsDo++
      if (query.ecs !== undefined) values.ecs++
    }
    const opt = this.#opt
    opt.ecsScope = 0
    opt.serverCookie = undefined
    opt.keepalive = udp ? undefined : this.#keepalive

    const writer = this.#writer
    if (query.opcode !== Opcode.QUERY)
      return this.#error(this.#withQuestion(query), client, Rcode.NOTIMP, false)
    if (edns !== undefined && edns.version !== 0) return this.#error(query, client, Rcode.BADVERS, false)

    // Cookies (RFC 7873 §5.2): a valid server cookie proves the source address.
    let verdict: CookieVerdict = 'none'
    const cookies = this.#cookies
    if (cookies !== undefined && query.cookie !== undefined && this.#address(client)) {
      verdict = cookies.check(
        query.cookie.client,
        query.cookie.server,
        this.#ipBytes(),
        Math.floor(this.#clock.now() / 1000),
      )
      opt.serverCookie = cookies.serverCookie
      if (verdict === 'client-only') values.cookieInit++
      else if (verdict === 'valid') values.cookieOk++
      else if (verdict === 'invalid') {
        values.cookieBad++
        if (this.#badCookie && udp) return this.#error(query, client, Rcode.BADCOOKIE, false)
      }
    }
    const proven = verdict === 'valid'

    if (query.qclass !== RRClass.IN) return this.#error(query, client, Rcode.REFUSED, proven)
    const qtype = query.qtype
    // zone transfers and the obsolete mailbox meta-types are not implemented here
    if (qtype >= 251 && qtype <= 254) return this.#error(query, client, Rcode.NOTIMP, proven)

    const qname = query.qname
    const zone = this.#zoneOf(qname)
    if (zone === undefined) return this.#error(query, client, Rcode.REFUSED, proven)

    let limit = 65535
    if (udp) {
      limit = udpLimit(query, this.#maxUdp)
      if (this.#maxNoCookie > 0 && !proven && limit > this.#maxNoCookie) limit = this.#maxNoCookie
    }

    // What the name holds: a dynamic selection first, then the zone.
    const serving = this.#serving
    const dynamic = this.#dynamic
    dynamic.kind = 'none'
    const node = serving.dynamic.get(qname)
    if (node !== undefined) serving.select(node, query, client, dynamic)
    const selected = dynamic.kind as DynamicOutcome['kind']
    const found = zone.lookup(qname)

    let cls: RrlClass
    let rcode: number = Rcode.NOERROR
    let rrlName = qname
    let authoritative = true
    // what to write: set below, written after the RRL decision
    let answer: RRset | undefined
    let answerRdatas: readonly Uint8Array[] | undefined
    let answerType = 0
    let answerTtl = 0
    let negative = false
    let referral: { ns: RRset; glue: readonly RRset[] } | undefined
    let additional: readonly RRset[] = NO_GLUE

    if (selected === 'answer') {
      answerRdatas = dynamic.rdatas
      answerType = dynamic.type
      answerTtl = dynamic.ttl
      opt.ecsScope = dynamic.scope
      cls = 'positive'
      this.counters.countSelection(dynamic.pool, dynamic.ids)
    } else if (selected === 'nodata') {
      cls = 'nodata'
      negative = true
    } else if (selected === 'refused' || selected === 'servfail') {
      return this.#error(query, client, selected === 'refused' ? Rcode.REFUSED : Rcode.SERVFAIL, proven)
    } else if (found.kind === 'answer' || found.kind === 'wildcard') {
      const rrsets = found.rrsets
      const cname = rrsets.get(RRType.CNAME)
      if (qtype === RRType.ANY) {
        if (cname !== undefined) answer = cname
        else {
          answerRdatas = HINFO_RFC8482
          answerType = RRType.HINFO
          answerTtl = ANY_TTL
        }
      } else answer = rrsets.get(qtype) ?? cname
      if (answer === undefined && answerRdatas === undefined) {
        cls = 'nodata'
        negative = true
      } else {
        cls = 'positive'
        if (answer !== undefined) additional = this.#additionalFor(answer)
      }
      if (found.kind === 'wildcard') rrlName = found.name
    } else if (found.kind === 'delegation') {
      if (qtype === RRType.DS && found.name.toLowerCase() === qname) {
        // DS lives on the parent side of the cut: without DNSSEC data, an empty answer from here
        cls = 'nodata'
        negative = true
      } else {
        referral = found
        authoritative = false
        cls = 'referral'
        rrlName = found.ns.owner.toLowerCase()
      }
    } else if (node !== undefined && qtype === RRType.ANY) {
      // a name only dynamic data gives still exists: ANY gets the RFC 8482 answer
      answerRdatas = HINFO_RFC8482
      answerType = RRType.HINFO
      answerTtl = ANY_TTL
      cls = 'positive'
    } else if (found.kind === 'nodata' || node !== undefined || serving.ancestors.has(qname)) {
      // an empty non-terminal, or a name that only dynamic data gives (or one above such a name)
      cls = 'nodata'
      negative = true
    } else {
      rcode = Rcode.NXDOMAIN
      cls = 'nxdomain'
      rrlName = zone.origin
      negative = true
    }

    // RRL: UDP only, and not for a client whose cookie proves its address.
    if (udp && !proven && this.#rrl !== undefined) {
      const key = cls === 'positive' ? `${rrlName}/${qtype}` : rrlName
      const action = this.#rrlAction(client, cls, key)
      if (action === 'drop') {
        values.rrlDrops++
        values.dropped++
        return undefined
      }
      if (action === 'slip') {
        values.rrlSlips++
        return this.#slip(query, rcode)
      }
    }

    writer.begin(query, limit, opt)
    writer.authoritative = authoritative
    writer.rcode = rcode
    if (answer !== undefined) {
      // the owner is the question's name (a wildcard is synthesized for it), so a pointer to it
      if (!writer.addRRset(Section.ANSWER, QUESTION_NAME, answer.type, answer.ttl, answer.rdatas))
        writer.truncated = true
    } else if (answerRdatas !== undefined) {
      if (!writer.addRRset(Section.ANSWER, QUESTION_NAME, answerType, answerTtl, answerRdatas))
        writer.truncated = true
    } else if (referral !== undefined) {
      if (
        !writer.addRRset(
          Section.AUTHORITY,
          referral.ns.ownerWire,
          RRType.NS,
          referral.ns.ttl,
          referral.ns.rdatas,
        )
      )
        writer.truncated = true
      else additional = referral.glue
    } else if (negative) {
      const soa = zone.negativeSoa
      if (!writer.addRRset(Section.AUTHORITY, soa.ownerWire, RRType.SOA, soa.ttl, soa.rdatas))
        writer.truncated = true
    }
    if (!writer.truncated) {
      for (let i = 0; i < additional.length; i++) {
        const rrset = additional[i] as RRset
        if (!writer.addRRset(Section.ADDITIONAL, rrset.ownerWire, rrset.type, rrset.ttl, rrset.rdatas)) {
          // glue a referral cannot do without sets TC (RFC 9471); other additional data is optional
          if (referral !== undefined) writer.truncated = true
          break
        }
      }
    }
    const reply = writer.finish(opt)
    if (writer.truncated) values.tc++
    if (rcode === Rcode.NXDOMAIN) values.nxdomain++
    else values.noerror++
    return reply
  }

  /** A reply with no records and `rcode`, after RRL (errors count per client, no name). */
  #error(query: DnsQuery, client: ClientInfo, rcode: number, proven: boolean): Uint8Array | undefined {
    const values = this.counters.values
    if (client.transport === 'udp' && !proven && this.#rrl !== undefined) {
      const action = this.#rrlAction(client, 'error', '')
      if (action === 'drop') {
        values.rrlDrops++
        values.dropped++
        return undefined
      }
      if (action === 'slip') values.rrlSlips++
      if (action === 'slip') return this.#slip(query, rcode)
    }
    const writer = this.#writer
    // BADVERS and BADCOOKIE need the OPT record; a query without EDNS cannot get them (the
    // decoder never yields such a query), so a plain header rcode is what the others get
    writer.begin(query, client.transport === 'udp' ? udpLimit(query, this.#maxUdp) : 65535, this.#opt)
    writer.rcode = rcode
    const reply = writer.finish(this.#opt)
    if (rcode === Rcode.NOTIMP) values.notimp++
    else if (rcode === Rcode.REFUSED) values.refused++
    else if (rcode === Rcode.BADVERS) values.badvers++
    else if (rcode === Rcode.BADCOOKIE) values.badcookie++
    else if (rcode === Rcode.SERVFAIL) values.servfail++
    return reply
  }

  /**
   * The query of another opcode with its question and OPT record read, so NOTIMP echoes them as
   * gdnsd does (RFC 6891 §6.1.1 wants the OPT back). The codec reads only the header of such a
   * query; a copy with the opcode cleared is read as a QUERY instead. A copy that does not
   * decode gets the bare header.
   */
  #withQuestion(query: DnsQuery): DnsQuery {
    const copy = Uint8Array.from(query.packet)
    copy[2] = (copy[2] as number) & 0x87
    try {
      return { ...decodeQuery(copy), opcode: query.opcode, flags: query.flags }
    } catch {
      return query
    }
  }

  /** The truncated reply RRL sends instead of a dropped one, so a real resolver retries over TCP. */
  #slip(query: DnsQuery, rcode: number): Uint8Array {
    const writer = this.#writer
    writer.begin(query, udpLimit(query, this.#maxUdp), this.#opt)
    writer.truncated = true
    writer.rcode = rcode
    this.counters.values.tc++
    return writer.finish(this.#opt)
  }

  /** RRL before a FORMERR (no decoded query: no name, and no cookie to prove the address). */
  #limited(client: ClientInfo, cls: RrlClass, name: string, proven: boolean): boolean {
    if (client.transport !== 'udp' || proven || this.#rrl === undefined) return false
    const action = this.#rrlAction(client, cls, name)
    if (action === 'send') return false
    // a FORMERR has nothing to truncate: a slip would be the same reply, so both count as drops
    this.counters.values.rrlDrops++
    this.counters.values.dropped++
    return true
  }

  #rrlAction(client: ClientInfo, cls: RrlClass, name: string): 'send' | 'drop' | 'slip' {
    const rrl = this.#rrl as ResponseRateLimiter
    if (!this.#address(client)) return 'send'
    const family = this.#ipFamily as 4 | 6
    const prefix = clientPrefixKey(this.#ip, family, rrl.ipv4PrefixLength, rrl.ipv6PrefixLength)
    return rrl.check(prefix, cls, name, this.#clock.now())
  }

  /** The client's address bytes (after {@link Responder.#address} said there are some). */
  #ipBytes(): Uint8Array {
    return this.#ipFamily === 4 ? this.#ip4 : this.#ip
  }

  /** Reads the client's address bytes once per query; false when it is not an IP address. */
  #address(client: ClientInfo): boolean {
    if (this.#ipFamily === 0) this.#ipFamily = parseIpBytes(client.address, this.#ip)
    return this.#ipFamily !== 0
  }

  /** The zone whose origin is the longest suffix of `qname`. */
  #zoneOf(qname: string): Zone | undefined {
    const zones = this.#serving.zones
    let zone = zones.get(qname)
    if (zone !== undefined) return zone
    for (let at = qname.indexOf('.'); at >= 0; at = qname.indexOf('.', at + 1)) {
      // an escaped dot (\.) inside a label is not a label boundary
      if (at > 0 && qname.charCodeAt(at - 1) === 92) continue
      zone = zones.get(qname.slice(at + 1))
      if (zone !== undefined) return zone
    }
    return zones.get('')
  }

  /** The in-zone addresses of the hosts an NS, MX or SRV RRset names, computed once per RRset. */
  #additionalFor(rrset: RRset): readonly RRset[] {
    if (rrset.type !== RRType.NS && rrset.type !== RRType.MX && rrset.type !== RRType.SRV) return NO_GLUE
    let found = this.#additional.get(rrset)
    if (found === undefined) {
      found = this.#serving.additionalFor(rrset)
      this.#additional.set(rrset, found)
    }
    return found
  }
}

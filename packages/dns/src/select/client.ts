import { invalidArgument } from '@shoal/core'
import {
  type Cidr,
  type Family,
  formatAddress,
  inCidr,
  maskWords,
  parseAddress,
  parseCidr,
  readAddressBytes,
} from './address.js'

/**
 * The EDNS Client Subnet option of a query (RFC 7871), as the wire decoder hands it over.
 * `family` is the option's IANA address family (1 = IPv4, 2 = IPv6); 4 and 6 are accepted too.
 * `address` holds the option's bytes (as few as the source prefix needs; missing ones are zero).
 */
export interface EcsInput {
  readonly family: number
  readonly sourcePrefix: number
  readonly address: Uint8Array
}

/**
 * Where the address that location filters read came from: the ECS option (`ecs`); the packet's
 * source because the query had no ECS (`resolver`); the source because the ECS option opted out
 * with a source prefix of 0 (`ecs-opt-out`), or because its subnet is private or unroutable
 * (`ecs-private`, RFC 7871 §10: an RFC 1918 or RFC 4193 subnet says nothing about a location).
 */
export type ClientSource = 'ecs' | 'resolver' | 'ecs-opt-out' | 'ecs-private'

/**
 * Networks whose ECS subnets are ignored: private (RFC 1918, RFC 4193, RFC 6598 shared space),
 * loopback, link-local, "this network", multicast and reserved, the IPv4-mapped block, and the
 * IPv6 unspecified address. Documentation ranges (RFC 5737) are treated as public, as gdnsd does.
 */
export const UNROUTABLE_NETWORKS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '::ffff:0:0/96',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
]

const unroutable: Cidr[] = UNROUTABLE_NETWORKS.map((text) => {
  // the mapped block is written in IPv6 form on purpose, so it is built by hand
  if (text === '::ffff:0:0/96') return { family: 6, words: Uint32Array.of(0, 0, 0xffff, 0), length: 96 }
  return parseCidr(text) as Cidr
})

/**
 * The prefix length of the unroutable network that holds the whole subnet `words`/`sourcePrefix`,
 * or -1 when the subnet is routable (a subnet wider than the private network is routable space).
 */
export function unroutableLength(words: Uint32Array, family: Family, sourcePrefix: number): number {
  // most subnets are public: a glance at the first byte rules them out without the list
  const top = (words[0] as number) >>> 24
  if (family === 4) {
    if (
      top !== 0 &&
      top !== 10 &&
      top !== 100 &&
      top !== 127 &&
      top !== 169 &&
      top !== 172 &&
      top !== 192 &&
      top < 224
    )
      return -1
  } else if (top !== 0 && top !== 0xfc && top !== 0xfd && top !== 0xfe && top !== 0xff) return -1
  for (const net of unroutable) {
    if (net.family === family && sourcePrefix >= net.length && inCidr(words, family, net)) return net.length
  }
  return -1
}

/**
 * The client of one query: the address location filters read, how many of its bits are known,
 * and where it came from. Reused across queries; {@link ClientInfo.resolve} fills it.
 */
export class ClientInfo {
  /** The address filters read (the ECS subnet, or the resolver). */
  readonly words = new Uint32Array(4)
  family: Family = 4
  /** Bits of {@link ClientInfo.words} that are known: the ECS source prefix, or 32/128. */
  prefix = 32
  source: ClientSource = 'resolver'
  /** For `ecs-private`: the length of the private network, the scope that covers it. */
  privateLength = 0
  readonly resolverWords = new Uint32Array(4)
  resolverFamily: Family = 4
  #resolver: string | Uint8Array = ''
  #resolverParsed = false
  #resolverText: string | undefined
  #text: string | undefined

  /**
   * Sets the client from a query's source address and ECS option.
   *
   * @param resolver - the packet's source address, as text or 4/16 bytes
   * @param ecs - the query's ECS option, when it has one
   * @param ignoreEcs - use the resolver even when the option is there
   */
  resolve(resolver: string | Uint8Array, ecs: EcsInput | undefined, ignoreEcs: boolean): void {
    this.#resolver = resolver
    this.#resolverParsed = false
    this.#text = undefined
    this.privateLength = 0
    if (ecs === undefined || ignoreEcs) {
      this.#useResolver(ecs === undefined ? 'resolver' : 'ecs-opt-out')
      return
    }
    const family = ecs.family === 1 || ecs.family === 4 ? 4 : ecs.family === 2 || ecs.family === 6 ? 6 : 0
    if (family === 0) throw invalidArgument(`ECS family must be 1 (IPv4) or 2 (IPv6), got ${ecs.family}`)
    const max = family === 4 ? 32 : 128
    const source = ecs.sourcePrefix
    if (!Number.isInteger(source) || source < 0 || source > max)
      throw invalidArgument(`ECS source prefix must be 0 to ${max}, got ${source}`)
    if (source === 0) {
      this.#useResolver('ecs-opt-out')
      return
    }
    const words = this.words
    readAddressBytes(ecs.address, family, words)
    maskWords(words, source)
    const privateLength = unroutableLength(words, family, source)
    if (privateLength >= 0) {
      this.#useResolver('ecs-private')
      this.privateLength = privateLength
      return
    }
    this.family = family
    this.prefix = source
    this.source = 'ecs'
  }

  /** The client address as text (for a GeoIP lookup), formatted once per query. */
  text(): string {
    if (this.#text === undefined) {
      this.#text =
        this.#resolverText !== undefined && this.source !== 'ecs'
          ? this.#resolverText
          : formatAddress(this.words, this.family)
    }
    return this.#text
  }

  /** Parses the resolver's address, which a usable ECS option makes unnecessary. */
  #parseResolver(): void {
    if (this.#resolverParsed) return
    this.#resolverParsed = true
    const resolver = this.#resolver
    const rw = this.resolverWords
    if (typeof resolver === 'string') {
      const family = parseAddress(resolver, rw)
      if (family === 0) throw invalidArgument(`resolver "${resolver}" is not an IPv4 or IPv6 address`)
      this.resolverFamily = family
      this.#resolverText = family === 4 && resolver.indexOf(':') >= 0 ? undefined : resolver
    } else {
      this.resolverFamily = bytesFamily(resolver, rw)
      this.#resolverText = undefined
    }
  }

  #useResolver(source: ClientSource): void {
    this.#parseResolver()
    this.words.set(this.resolverWords)
    this.family = this.resolverFamily
    this.prefix = this.family === 4 ? 32 : 128
    this.source = source
  }
}

function bytesFamily(bytes: Uint8Array, out: Uint32Array): Family {
  if (bytes.length !== 4 && bytes.length !== 16)
    throw invalidArgument(`resolver address must be 4 or 16 bytes, got ${bytes.length}`)
  const family: Family = bytes.length === 4 ? 4 : 6
  readAddressBytes(bytes, family, out)
  if (family === 6 && out[0] === 0 && out[1] === 0 && out[2] === 0xffff) {
    out[0] = out[3] as number
    out[1] = 0
    out[2] = 0
    out[3] = 0
    return 4
  }
  return family
}

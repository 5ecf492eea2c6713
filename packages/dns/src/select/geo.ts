import { invalidArgument } from '@shoal/core'
import { type CityResponse, Reader, type Response } from 'maxmind'

/**
 * What a GeoIP lookup knows about an address. Codes are as MaxMind writes them: continent `EU`,
 * country `FR` (ISO 3166-1 alpha-2), subdivision `FR-IDF` (ISO 3166-2, country first).
 */
export interface GeoInfo {
  readonly continent?: string | undefined
  readonly country?: string | undefined
  readonly subdivision?: string | undefined
  /** Latitude in degrees (City databases). */
  readonly lat?: number | undefined
  /** Longitude in degrees (City databases). */
  readonly lon?: number | undefined
  /** Autonomous system number (ASN databases, or City/Enterprise ones that carry it). */
  readonly asn?: number | undefined
}

/**
 * A lookup's answer: what is known, and the prefix length of the database network that holds the
 * address (every address of that network gets the same answer, so an ECS reply that used it can
 * say so with that scope).
 */
export interface GeoLookupResult extends GeoInfo {
  readonly prefixLength: number
}

/**
 * Looks an address (IPv4 or IPv6 text) up. `undefined` means no answer and no network either, and
 * counts as depending on every known bit of the client. An implementation may reuse the returned
 * object on its next call.
 */
export type GeoLookup = (address: string) => GeoLookupResult | undefined

/** Options of {@link mmdbGeoLookup}. */
export interface MmdbGeoLookupOptions {
  /** How many decoded records to keep (default 10,000); the oldest goes first past that. */
  readonly cacheSize?: number
}

/** A bounded first-in first-out record cache for the MMDB decoder. */
class RecordCache {
  readonly #map = new Map<string | number, unknown>()
  readonly #limit: number
  constructor(limit: number) {
    this.#limit = limit
  }
  get(key: string | number): unknown {
    return this.#map.get(key)
  }
  set(key: string | number, value: unknown): void {
    if (this.#map.size >= this.#limit) {
      const oldest = this.#map.keys().next()
      if (oldest.done !== true) this.#map.delete(oldest.value)
    }
    this.#map.set(key, value)
  }
}

/** The shapes of record this adapter reads: MaxMind's GeoIP2/GeoLite2 and flat country records. */
interface AnyRecord extends CityResponse {
  readonly autonomous_system_number?: number
  readonly country_code?: string
}

class MutableResult implements GeoLookupResult {
  continent: string | undefined
  country: string | undefined
  subdivision: string | undefined
  lat: number | undefined
  lon: number | undefined
  asn: number | undefined
  prefixLength = 0
}

function toInfo(record: AnyRecord): GeoInfo {
  const country = record.country?.iso_code ?? record.country_code ?? record.registered_country?.iso_code
  const sub = record.subdivisions?.[0]?.iso_code
  return {
    continent: record.continent?.code,
    country,
    subdivision: sub !== undefined && country !== undefined ? `${country}-${sub}` : undefined,
    lat: record.location?.latitude,
    lon: record.location?.longitude,
    asn: record.traits?.autonomous_system_number ?? record.autonomous_system_number,
  }
}

const EMPTY: GeoInfo = {}

/**
 * A {@link GeoLookup} over a MaxMind DB (`.mmdb`) through the `maxmind` package: GeoIP2/GeoLite2
 * City, Country and ASN databases, and flat country databases that write `country_code`. The
 * caller reads the file (the selection pipeline does no I/O); decoded records are cached, and
 * each is converted once. The returned object is reused by the next lookup.
 *
 * @param database - the database bytes, or a `Reader` opened already (e.g. by `maxmind.open`,
 *   which can also watch the file)
 * @example
 * ```ts
 * const geo = mmdbGeoLookup(readFileSync('GeoLite2-City.mmdb'))
 * const selector = compileSelector(pools, { geo })
 * ```
 */
export function mmdbGeoLookup(
  database: Buffer | Reader<Response>,
  options: MmdbGeoLookupOptions = {},
): GeoLookup {
  const cacheSize = options.cacheSize ?? 10_000
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 1)
    throw invalidArgument(
      `mmdbGeoLookup cacheSize must be a positive integer, got ${String(options.cacheSize)}`,
    )
  const reader = (
    Buffer.isBuffer(database)
      ? new Reader<AnyRecord>(database, { cache: new RecordCache(cacheSize) })
      : database
  ) as Reader<AnyRecord>
  const converted = new WeakMap<object, GeoInfo>()
  const out = new MutableResult()
  return (address) => {
    const [record, prefixLength] = reader.getWithPrefixLength(address)
    let info = EMPTY
    if (record !== null) {
      const known = converted.get(record)
      if (known !== undefined) info = known
      else {
        info = toInfo(record)
        converted.set(record, info)
      }
    }
    out.continent = info.continent
    out.country = info.country
    out.subdivision = info.subdivision
    out.lat = info.lat
    out.lon = info.lon
    out.asn = info.asn
    out.prefixLength = prefixLength
    return out
  }
}

/**
 * One lookup from several (a City database and an ASN database, say): each field from the first
 * lookup that knows it, and the longest prefix length among them, since the answer depends on all.
 *
 * @example
 * ```ts
 * const geo = combineGeoLookups(mmdbGeoLookup(cityBytes), mmdbGeoLookup(asnBytes))
 * ```
 */
export function combineGeoLookups(...lookups: readonly GeoLookup[]): GeoLookup {
  const out = new MutableResult()
  return (address) => {
    let any = false
    out.continent = out.country = out.subdivision = undefined
    out.lat = out.lon = out.asn = undefined
    out.prefixLength = 0
    for (const lookup of lookups) {
      const found = lookup(address)
      if (found === undefined) continue
      any = true
      out.continent ??= found.continent
      out.country ??= found.country
      out.subdivision ??= found.subdivision
      if (out.lat === undefined && found.lat !== undefined && found.lon !== undefined) {
        out.lat = found.lat
        out.lon = found.lon
      }
      out.asn ??= found.asn
      if (found.prefixLength > out.prefixLength) out.prefixLength = found.prefixLength
    }
    return any ? out : undefined
  }
}

const RADIANS = Math.PI / 180
/** Mean Earth radius in kilometres. */
export const EARTH_RADIUS_KM = 6371.0088

/**
 * Great-circle distance in kilometres between two points (haversine formula).
 *
 * @example
 * ```ts
 * haversineKm(48.8566, 2.3522, 51.5074, -0.1278) // ≈ 343.6 (Paris–London)
 * ```
 */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RADIANS
  const dLon = (lon2 - lon1) * RADIANS
  const s =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RADIANS) * Math.cos(lat2 * RADIANS) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(s)))
}

/**
 * Route 53's geoproximity bias: the distance compared is the real one × (1 − bias / 100).
 *
 * @example
 * ```ts
 * biasedDistance(1000, 50) // 500: a positive bias makes a site look nearer
 * ```
 */
export function biasedDistance(distanceKm: number, bias: number): number {
  return distanceKm * (1 - bias / 100)
}

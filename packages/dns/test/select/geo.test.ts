import { Reader } from 'maxmind'
import { describe, expect, it } from 'vitest'
import { biasedDistance, combineGeoLookups, haversineKm, mmdbGeoLookup } from '../../src/select/index.js'
import { writeMmdb } from './mmdb-writer.js'

const city = writeMmdb([
  {
    cidr: '192.0.2.0/24',
    record: {
      continent: { code: 'EU' },
      country: { iso_code: 'FR' },
      subdivisions: [{ iso_code: 'IDF' }],
      location: { latitude: 48.8566, longitude: 2.3522, accuracy_radius: 20 },
    },
  },
  { cidr: '192.0.2.128/25', record: { continent: { code: 'EU' }, country: { iso_code: 'DE' } } },
  { cidr: '2001:db8::/32', record: { country_code: 'JP' } },
])
const asn = writeMmdb(
  [
    {
      cidr: '192.0.2.0/23',
      record: { autonomous_system_number: 64500, autonomous_system_organization: 'Example' },
    },
  ],
  'Test-ASN',
)

describe('mmdbGeoLookup (the maxmind package over a database written by the test)', () => {
  it('reads GeoIP2 City records and the network prefix length', () => {
    const geo = mmdbGeoLookup(city)
    expect({ ...geo('192.0.2.10') }).toEqual({
      continent: 'EU',
      country: 'FR',
      subdivision: 'FR-IDF',
      lat: 48.8566,
      lon: 2.3522,
      asn: undefined,
      prefixLength: 25,
    })
    expect(geo('192.0.2.200')).toMatchObject({ country: 'DE', prefixLength: 25 })
  })

  it('reads flat country_code records, and reports the extent of networks it knows nothing about', () => {
    const geo = mmdbGeoLookup(city)
    expect(geo('2001:db8:1::1')).toMatchObject({ country: 'JP', prefixLength: 32 })
    const none = geo('203.0.113.1')
    expect(none?.country).toBeUndefined()
    expect(none?.prefixLength).toBeGreaterThan(0)
  })

  it('takes a Reader opened elsewhere, and combines a City and an ASN database', () => {
    const geo = combineGeoLookups(mmdbGeoLookup(new Reader(city)), mmdbGeoLookup(asn))
    expect(geo('192.0.2.10')).toMatchObject({ country: 'FR', asn: 64500, prefixLength: 25 })
    // the City database knows nothing of 192.0.3.0/24, the ASN database places it in a /23: the
    // combined answer depends on the longer of the two
    expect(geo('192.0.3.10')).toMatchObject({ country: undefined, asn: 64500, prefixLength: 24 })
  })

  it('bounds its record cache and still answers past the bound', () => {
    const geo = mmdbGeoLookup(city, { cacheSize: 1 })
    for (let i = 0; i < 5; i++) {
      expect(geo('192.0.2.10')?.country).toBe('FR')
      expect(geo('192.0.2.200')?.country).toBe('DE')
    }
  })
})

describe('distances', () => {
  it('haversine: Paris–London ≈ 344 km, antipodes ≈ half the circumference', () => {
    expect(haversineKm(48.8566, 2.3522, 51.5074, -0.1278)).toBeCloseTo(343.6, 0)
    expect(haversineKm(0, 0, 0, 180)).toBeCloseTo(Math.PI * 6371.0088, 3)
    expect(haversineKm(10, 20, 10, 20)).toBe(0)
  })

  it("Route 53's bias: distance × (1 − bias / 100)", () => {
    expect(biasedDistance(1000, 50)).toBe(500)
    expect(biasedDistance(1000, -50)).toBe(1500)
    expect(biasedDistance(1000, 0)).toBe(1000)
  })
})

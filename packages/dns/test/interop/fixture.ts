// The zone and pools every interop test and the benchmark serve, on gdnsd and on ours: one static
// zone in RFC 1035 syntax both read, and four dynamic names whose answers come from pools that
// mirror gdnsd's multifo, weighted, metafo and geoip (with a `nets` map) plugins.

/** The zone's origin, without the final dot. */
export const ORIGIN = 'example.com'

/** Addresses of the 100-record RRset at `big`: about 1,650 bytes, more than any UDP limit here. */
export const BIG_ADDRESSES: readonly string[] = Array.from({ length: 100 }, (_, i) => `198.51.100.${i + 1}`)

/**
 * The static zone. The SOA's own TTL (3600) is above its negative-caching field (300) on purpose:
 * gdnsd clamps the SOA's TTL to that field everywhere, which the differential test names.
 */
export const STATIC_ZONE = `$TTL 3600
@           SOA   ns1 hostmaster ( 2026112601 7200 1800 1209600 300 )
@           NS    ns1
@           NS    ns2
@           MX    10 mail
@           TXT   "v=spf1 -all"
@           CAA   0 issue "letsencrypt.org"
ns1         A     192.0.2.253
ns2         A     192.0.2.254
mail        A     192.0.2.25
mail        AAAA  2001:db8::25
www         A     192.0.2.1
www         A     192.0.2.2
www         A     192.0.2.3
www         AAAA  2001:db8::1
alias       CNAME www
external    CNAME www.example.net.
txt         TXT   "hello world" "second string"
_sip._udp   SRV   10 60 5060 sip
sip         A     192.0.2.60
a.b         A     192.0.2.70
sub         NS    ns.sub
ns.sub      A     192.0.2.80
*.wild      A     192.0.2.90
short   60  A     192.0.2.99
${BIG_ADDRESSES.map((address) => `big         A     ${address}`).join('\n')}
`

/** A dynamic name, the pool behind it, and the answers it may give. */
export interface DynamicName {
  /** Owner name relative to the origin. */
  readonly name: string
  /** TTL of its answers (gdnsd's DYNA `MAX`; every member is up, so the full TTL is served). */
  readonly ttl: number
  /** Every address the pool may answer with. */
  readonly addresses: readonly string[]
  /** What one answer holds: `all` the addresses, exactly `one`, or a non-empty `subset`. */
  readonly answers: 'all' | 'one' | 'subset'
}

/** multifo: every non-down address, all three here. */
export const MULTIFO: DynamicName = {
  name: 'mfo',
  ttl: 300,
  addresses: ['192.0.2.11', '192.0.2.12', '192.0.2.13'],
  answers: 'all',
}

/** weighted (single): one address, with odds 1 : 2 : 3. */
export const WEIGHTED: DynamicName = {
  name: 'wgt',
  ttl: 300,
  addresses: ['192.0.2.21', '192.0.2.22', '192.0.2.23'],
  answers: 'one',
}

/** Weights of {@link WEIGHTED}'s addresses, in order. */
export const WEIGHTS: readonly number[] = [1, 2, 3]

/** metafo: the first datacenter that is up (dc1, two addresses), then dc2. */
export const METAFO: DynamicName = {
  name: 'meta',
  ttl: 300,
  addresses: ['192.0.2.31', '192.0.2.32'],
  answers: 'all',
}

/** Datacenters of the geoip map and their address. */
export const GEO_DATACENTERS = { dc1: '192.0.2.51', dc2: '192.0.2.52', dc3: '192.0.2.53' } as const

/** geoip without a database: a `nets` map, 10/8 → dc2 then dc1, 192.0.2/24 → dc3 then dc1, else dc1. */
export const GEO: DynamicName = {
  name: 'geo',
  ttl: 300,
  addresses: Object.values(GEO_DATACENTERS),
  answers: 'one',
}

/**
 * The full selection chain: the geoip `nets` map picks a datacenter list, failover takes the first
 * datacenter up, and a weighted draw (odds 1 : 2 : 3) picks one of its three addresses
 * (gdnsd: geoip → weighted; ours: view → failover → up, weightedShuffle, selectFirstN 1).
 */
export const CHAIN_DATACENTERS = {
  dc1: ['192.0.2.101', '192.0.2.102', '192.0.2.103'],
  dc2: ['192.0.2.111', '192.0.2.112', '192.0.2.113'],
  dc3: ['192.0.2.121', '192.0.2.122', '192.0.2.123'],
} as const

export const CHAIN: DynamicName = {
  name: 'chain',
  ttl: 300,
  addresses: Object.values(CHAIN_DATACENTERS).flat(),
  answers: 'one',
}

/** The addresses the chain may answer a client in `subnet` with (the first datacenter of its list). */
export function chainAddresses(subnet: string | undefined): readonly string[] {
  const address = subnet?.split('/')[0] ?? '127.0.0.1'
  if (/^10\./.test(address)) return CHAIN_DATACENTERS.dc2
  if (/^192\.0\.2\./.test(address)) return CHAIN_DATACENTERS.dc3
  return CHAIN_DATACENTERS.dc1
}

/** Every dynamic name. */
export const DYNAMIC: readonly DynamicName[] = [MULTIFO, WEIGHTED, METAFO, GEO, CHAIN]

/**
 * ECS vectors measured on gdnsd 3.8.1 with the map above (research §7.5 and this harness): the client
 * subnet sent, the address answered, and the scope gdnsd returns (the merged supernet with one answer).
 */
export const GEO_ECS_VECTORS: readonly { subnet: string; address: string; scope: number }[] = [
  { subnet: '10.1.2.0/24', address: GEO_DATACENTERS.dc2, scope: 8 },
  { subnet: '203.0.113.0/24', address: GEO_DATACENTERS.dc1, scope: 5 },
  { subnet: '198.51.100.0/24', address: GEO_DATACENTERS.dc1, scope: 6 },
  { subnet: '192.0.2.0/24', address: GEO_DATACENTERS.dc3, scope: 24 },
  { subnet: '192.0.2.128/25', address: GEO_DATACENTERS.dc3, scope: 24 },
  { subnet: '10.0.0.0/7', address: GEO_DATACENTERS.dc2, scope: 8 },
  { subnet: '10.1.2.3/32', address: GEO_DATACENTERS.dc2, scope: 8 },
]

/** The DYNA records gdnsd needs for the dynamic names. */
export const GDNSD_DYNAMIC_RECORDS = `mfo   300 DYNA multifo!mfo
wgt   300 DYNA weighted!wgt
meta  300 DYNA metafo!meta
geo   300 DYNA geoip!geo
chain 300 DYNA geoip!chain
`

/** gdnsd's plugin configuration for the dynamic names (every member is monitored as `up`). */
export const GDNSD_PLUGINS = `  multifo => {
    mfo => { lb1 => ${MULTIFO.addresses[0]}, lb2 => ${MULTIFO.addresses[1]}, lb3 => ${MULTIFO.addresses[2]} }
  }
  weighted => {
    wgt => {
      a => [ ${WEIGHTED.addresses[0]}, ${WEIGHTS[0]} ]
      b => [ ${WEIGHTED.addresses[1]}, ${WEIGHTS[1]} ]
      c => [ ${WEIGHTED.addresses[2]}, ${WEIGHTS[2]} ]
    }
${Object.entries(CHAIN_DATACENTERS)
  .map(
    ([dc, addresses]) =>
      `    chain_${dc} => {\n${addresses.map((address, i) => `      ${dc}_${i + 1} => [ ${address}, ${WEIGHTS[i]} ]`).join('\n')}\n    }`,
  )
  .join('\n')}
  }
  metafo => {
    resources => {
      meta => {
        datacenters => [ dc1, dc2 ]
        dcmap => {
          dc1 => [ ${METAFO.addresses[0]}, ${METAFO.addresses[1]} ]
          dc2 => [ 192.0.2.41 ]
        }
      }
    }
  }
  geoip => {
    maps => {
      nets_map => {
        datacenters => [ dc1, dc2, dc3 ]
        nets => {
          10.0.0.0/8 => [ dc2, dc1 ]
          192.0.2.0/24 => [ dc3, dc1 ]
        }
      }
    }
    resources => {
      geo => {
        map => nets_map
        dcmap => {
          dc1 => ${GEO_DATACENTERS.dc1}
          dc2 => ${GEO_DATACENTERS.dc2}
          dc3 => ${GEO_DATACENTERS.dc3}
        }
      }
      chain => {
        map => nets_map
        dcmap => {
          dc1 => %weighted!chain_dc1
          dc2 => %weighted!chain_dc2
          dc3 => %weighted!chain_dc3
        }
      }
    }
  }`

/** The zone file gdnsd serves: the static zone plus the DYNA records. */
export function gdnsdZone(): string {
  return `${STATIC_ZONE}${GDNSD_DYNAMIC_RECORDS}`
}

/** A leaf pool that draws one address with odds 1 : 2 : 3, as gdnsd's `weighted` (single). */
function weightedLeaf(addresses: readonly string[], ttl: number): Record<string, unknown> {
  return {
    answers: addresses.map((value, i) => ({ id: `a${i + 1}`, value, weight: WEIGHTS[i] })),
    chain: ['up', 'weightedShuffle', { filter: 'selectFirstN', n: 1 }],
    ttl,
  }
}

/** The nets map as a view filter over datacenter members: gdnsd's geoip `nets` and its default. */
const NETS_VIEW = {
  filter: 'view',
  views: [
    { nets: ['10.0.0.0/8'], answers: ['dc2', 'dc1'] },
    { nets: ['192.0.2.0/24'], answers: ['dc3', 'dc1'] },
  ],
  default: ['dc1', 'dc2', 'dc3'],
}

/** Our pools for the dynamic names, in the selection pipeline's JSON form, equivalent to {@link GDNSD_PLUGINS}. */
export function ourPools(): Record<string, unknown> {
  const single = (id: string, value: string) => ({ answers: [{ id, value }], ttl: GEO.ttl })
  return {
    mfo: { answers: MULTIFO.addresses.map((value, i) => ({ id: `lb${i + 1}`, value })), ttl: MULTIFO.ttl },
    wgt: weightedLeaf(WEIGHTED.addresses, WEIGHTED.ttl),
    'meta-dc1': {
      answers: METAFO.addresses.map((value, i) => ({ id: `m${i + 1}`, value })),
      ttl: METAFO.ttl,
    },
    'meta-dc2': single('m3', '192.0.2.41'),
    meta: {
      members: [
        { pool: 'meta-dc1', id: 'dc1' },
        { pool: 'meta-dc2', id: 'dc2' },
      ],
      chain: ['failover'],
      ttl: METAFO.ttl,
    },
    'geo-dc1': single('dc1', GEO_DATACENTERS.dc1),
    'geo-dc2': single('dc2', GEO_DATACENTERS.dc2),
    'geo-dc3': single('dc3', GEO_DATACENTERS.dc3),
    geo: {
      members: ['dc1', 'dc2', 'dc3'].map((dc) => ({ pool: `geo-${dc}`, id: dc })),
      chain: [NETS_VIEW, 'failover'],
      ttl: GEO.ttl,
    },
    'chain-dc1': weightedLeaf(CHAIN_DATACENTERS.dc1, CHAIN.ttl),
    'chain-dc2': weightedLeaf(CHAIN_DATACENTERS.dc2, CHAIN.ttl),
    'chain-dc3': weightedLeaf(CHAIN_DATACENTERS.dc3, CHAIN.ttl),
    chain: {
      members: ['dc1', 'dc2', 'dc3'].map((dc) => ({ pool: `chain-${dc}`, id: dc })),
      chain: [NETS_VIEW, 'failover'],
      ttl: CHAIN.ttl,
    },
  }
}

/**
 * Our configuration file (`shoal-dns serve --config`) for the fixture: the static zone from
 * `zoneFile`, the pools on the dynamic names, listening on 127.0.0.1:`port`. RRL is off, as
 * gdnsd has none: the tests and the benchmark send thousands of queries from one address.
 */
export function ourConfig(
  zoneFile: string,
  port: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    listen: [`127.0.0.1:${port}`],
    zones: [{ origin: ORIGIN, file: zoneFile }],
    pools: ourPools(),
    dynamic: DYNAMIC.map((d) => ({ name: `${d.name}.${ORIGIN}`, type: 'A', pool: d.name })),
    rrl: false,
    ...extra,
  }
}

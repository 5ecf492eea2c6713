// Differential test against a real nginx (Debian's nginx-light, which CI installs): keys sent through
// `upstream { hash $arg_key consistent; … }` reach the backend that ring({ placement: 'nginx' })
// picks for the same key, for every key, with equal and unequal weights, and again after a server
// is removed from the configuration.
//
// What nginx hashes: `$arg_key` is the query value as it came on the wire, percent-escapes NOT
// decoded ("caf%C3%A9" is hashed as those 9 ASCII bytes, "%c3%a9" differently from "%C3%A9", "+" is
// not a space). So the key given to the balancer is that raw string. When the raw query carries
// UTF-8 bytes unescaped, nginx hashes those bytes, which are the UTF-8 encoding of the decoded
// string: the balancer gets the decoded string and must hash its UTF-8 bytes.

import { crc32 } from 'node:zlib'
import { createRandom, type Random } from '@shoal/core'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { ring } from '../../src/pickers/ring.js'
import {
  type Backend,
  closeBackends,
  missingNginx,
  type Nginx,
  nginxDir,
  removeDir,
  route,
  startBackends,
  startNginx,
  stopNginx,
  type UpstreamServer,
} from './nginx-harness.js'

/** A key as it goes on the wire (one character per byte) and as an application hands it to `pick`. */
interface Key {
  readonly wire: string
  readonly key: string
}

const KEYS_PER_CASE = 2_000
const ALL_AGREE = { keys: KEYS_PER_CASE, agree: KEYS_PER_CASE, firstDifferences: [] }
/**
 * Keys whose CRC-32 lies above every ring point (or nearly so) wrap round to the first point; few
 * random keys do, so each case adds some found by search (zlib's CRC-32, the same function).
 */
const WRAPPING_KEYS = 8
const WRAP_ABOVE = 0xfffc0000
const SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'
/** Characters nginx leaves in `$arg_key` as they are (no `&`, which ends the value, nor `#`). */
const RAW_QUERY = `${SAFE}!$'()*+,;:@/?=`
const HEX = '0123456789ABCDEFabcdef'
/** Code points beyond ASCII: Latin-1, Greek, Cyrillic, CJK, emoji (astral, a surrogate pair in JS). */
const WIDE = [
  [0xa1, 0xff],
  [0x391, 0x3c9],
  [0x410, 0x44f],
  [0x4e00, 0x4fff],
  [0x1f600, 0x1f64f],
] as const
/** ASCII characters that need escaping in a query: space, `&`, `=`, `+`, `#`, `%`, `?`, `/`, quotes. */
const SPECIAL = ' &=+#%?/"\'<>\\'

function pickChar(random: Random, alphabet: string): string {
  return alphabet[random.int(alphabet.length)] as string
}

function ascii(random: Random, alphabet: string, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += pickChar(random, alphabet)
  return out
}

/** A string mixing plain letters, escaping-worthy ASCII and code points beyond ASCII. */
function unicode(random: Random, length: number, specials: boolean): string {
  let out = ''
  for (let i = 0; i < length; i++) {
    const roll = random.int(10)
    if (roll < 4) out += pickChar(random, SAFE)
    else if (roll < 6 && specials) out += pickChar(random, SPECIAL)
    else {
      const [lo, hi] = WIDE[random.int(WIDE.length)] as readonly [number, number]
      out += String.fromCodePoint(lo + random.int(hi - lo + 1))
    }
  }
  return out
}

/** `count` distinct keys of six kinds, the same for a given seed. */
function makeKeys(seed: number, count: number): Key[] {
  const random = createRandom(seed)
  const keys = new Map<string, Key>()
  for (let guard = 0; keys.size < WRAPPING_KEYS && guard < 10_000_000; guard++) {
    const wire = ascii(random, SAFE, 10)
    if (crc32(wire) >= WRAP_ABOVE) keys.set(wire, { wire, key: wire })
  }
  for (let guard = 0; keys.size < count && guard < count * 10; guard++) {
    const kind = random.int(20)
    let key: Key
    if (kind < 8) {
      // plain identifiers, as user ids or paths
      const wire = ascii(random, SAFE, 1 + random.int(24))
      key = { wire, key: wire }
    } else if (kind < 12) {
      // UTF-8 and special characters, percent-encoded as browsers and encodeURIComponent do
      const wire = encodeURIComponent(unicode(random, 1 + random.int(12), true))
      key = { wire, key: wire }
    } else if (kind < 15) {
      // sub-delimiters left unescaped, and escapes in either case (hashed as written)
      let wire = ''
      for (let n = 1 + random.int(16), i = 0; i < n; i++)
        wire +=
          random.int(4) === 0
            ? `%${pickChar(random, HEX)}${pickChar(random, HEX)}`
            : pickChar(random, RAW_QUERY)
      key = { wire, key: wire }
    } else if (kind < 19) {
      // raw UTF-8 bytes in the query, no escaping: nginx hashes the bytes, pick gets the string
      const text = unicode(random, 1 + random.int(10), false)
      key = { wire: Buffer.from(text, 'utf8').toString('latin1'), key: text }
    } else {
      // long keys
      const wire = ascii(random, RAW_QUERY, 200 + random.int(800))
      key = { wire, key: wire }
    }
    keys.set(key.wire, key)
  }
  return [...keys.values()]
}

/** What the balancer picks for each key. */
function ringRoutes(balancer: Balancer, keys: readonly Key[]): string[] {
  return keys.map(({ key }) => {
    const backend = balancer.pick(key)
    if (backend === undefined) return '(none)'
    balancer.done(backend)
    return backend.id
  })
}

/** Agreement of the two routings, with the first few differences spelt out. */
function compare(keys: readonly Key[], nginx: readonly string[], ours: readonly string[]) {
  const differences: { key: string; wire: string; nginx: string; ring: string }[] = []
  keys.forEach(({ key, wire }, i) => {
    if (nginx[i] !== ours[i])
      differences.push({ key, wire, nginx: nginx[i] as string, ring: ours[i] as string })
  })
  return {
    keys: keys.length,
    agree: keys.length - differences.length,
    firstDifferences: differences.slice(0, 5),
  }
}

const skip = process.env.SHOAL_SKIP_NGINX === '1'

describe.skipIf(skip)("ring({ placement: 'nginx' }) and nginx's `hash $arg_key consistent`", () => {
  let backends: Backend[] = []
  let nginx: Nginx | undefined
  let dir = ''

  beforeAll(() => {
    const missing = missingNginx()
    if (missing !== undefined) throw new Error(missing)
  })

  afterEach(async () => {
    await stopNginx(nginx)
    nginx = undefined
    await closeBackends(backends)
    backends = []
    if (dir !== '') await removeDir(dir)
    dir = ''
  })

  /** Starts the backends and an nginx in front of them; returns the upstream servers. */
  async function setUp(weights: readonly number[]): Promise<UpstreamServer[]> {
    backends = await startBackends(weights.length)
    dir = await nginxDir()
    const servers = backends.map(({ id }, i) => ({ id, weight: weights[i] as number }))
    nginx = await startNginx(dir, servers)
    return servers
  }

  /** The backend nginx sends each key to. */
  function throughNginx(keys: readonly Key[]): Promise<string[]> {
    if (nginx === undefined) throw new Error('nginx is not running')
    return route(
      nginx.port,
      keys.map(({ wire }) => wire),
    )
  }

  /** Routes the keys through nginx and through a fresh balancer over `servers`, and compares. */
  async function agreement(servers: readonly UpstreamServer[], keys: readonly Key[]) {
    const viaNginx = await throughNginx(keys)
    const balancer = new Balancer(servers, { picker: ring({ placement: 'nginx' }), stages: [] })
    return { viaNginx, result: compare(keys, viaNginx, ringRoutes(balancer, keys)) }
  }

  it.each([
    { name: '3 servers, equal weights', weights: [1, 1, 1], seed: 3 },
    { name: '7 servers, weights 1–5', weights: [1, 2, 3, 4, 5, 1, 3], seed: 7 },
    {
      name: '20 servers, mostly weight 1, some 2–5',
      weights: [1, 1, 2, 1, 1, 5, 1, 1, 3, 1, 1, 1, 4, 1, 1, 2, 1, 1, 1, 1],
      seed: 20,
    },
  ])('$name: every key reaches the same backend', async ({ weights, seed }) => {
    const servers = await setUp(weights)
    const keys = makeKeys(seed, KEYS_PER_CASE)
    const { viaNginx, result } = await agreement(servers, keys)
    expect(result).toEqual(ALL_AGREE)
    // the comparison discriminates: every backend received keys
    expect(new Set(viaNginx).size).toBe(servers.length)
  })

  it('after a server is removed from the configuration, still every key, and only its keys move', async () => {
    const servers = await setUp([2, 1, 3, 1, 5, 1, 4])
    const keys = makeKeys(77, KEYS_PER_CASE)
    const balancer = new Balancer(servers, { picker: ring({ placement: 'nginx' }), stages: [] })
    const before = ringRoutes(balancer, keys)
    expect(compare(keys, await throughNginx(keys), before)).toEqual(ALL_AGREE)

    // nginx restarted without the third server (which keeps running, so a key sent to it would show)
    const removed = servers[2] as UpstreamServer
    const remaining = servers.filter((server) => server !== removed)
    await stopNginx(nginx)
    nginx = await startNginx(dir, remaining)

    // the same balancer, its cluster changed at run time, and a fresh one over the remaining servers
    balancer.cluster.remove(removed.id)
    const { viaNginx, result } = await agreement(remaining, keys)
    expect(result).toEqual(ALL_AGREE)
    const after = ringRoutes(balancer, keys)
    expect(compare(keys, viaNginx, after)).toEqual(result)

    // consistency: a key moves only if it was on the removed server
    const moved = keys.filter((_, i) => before[i] !== after[i])
    expect(moved.length).toBeGreaterThan(0)
    expect(keys.filter((_, i) => before[i] !== after[i] && before[i] !== removed.id)).toEqual([])
  })
})

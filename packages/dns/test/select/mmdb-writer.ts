/**
 * A tiny MaxMind DB writer for tests (the format of maxmind.github.io/MaxMind-DB): a binary search
 * tree with 24-bit records, a data section, and the metadata map. Enough to give the `maxmind`
 * reader networks and records we choose, so GeoIP filters can be tested without shipping a
 * real database.
 */

type Value = string | number | boolean | readonly Value[] | { readonly [key: string]: Value }

/** One network and its record. */
export interface MmdbNetwork {
  /** `"192.0.2.0/24"` or `"2001:db8::/32"`. */
  readonly cidr: string
  readonly record: { readonly [key: string]: Value }
}

function control(type: number, size: number): number[] {
  const extended = type > 7
  const head: number[] = []
  let sizeBits: number
  const tail: number[] = []
  if (size < 29) sizeBits = size
  else if (size < 285) {
    sizeBits = 29
    tail.push(size - 29)
  } else if (size < 65821) {
    sizeBits = 30
    const rest = size - 285
    tail.push(rest >>> 8, rest & 255)
  } else {
    sizeBits = 31
    const rest = size - 65821
    tail.push(rest >>> 16, (rest >>> 8) & 255, rest & 255)
  }
  head.push(((extended ? 0 : type) << 5) | sizeBits)
  if (extended) head.push(type - 7)
  return [...head, ...tail]
}

function encode(value: Value): number[] {
  if (typeof value === 'string') {
    const bytes = [...new TextEncoder().encode(value)]
    return [...control(2, bytes.length), ...bytes]
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0)
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      const bytes: number[] = []
      for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
      return [...control(6, bytes.length), ...bytes]
    }
    const view = new DataView(new ArrayBuffer(8))
    view.setFloat64(0, value)
    return [...control(3, 8), ...new Uint8Array(view.buffer)]
  }
  if (Array.isArray(value)) return [...control(11, value.length), ...value.flatMap((v: Value) => encode(v))]
  const entries = Object.entries(value as { [key: string]: Value })
  return [...control(7, entries.length), ...entries.flatMap(([k, v]) => [...encode(k), ...encode(v)])]
}

function parse(cidr: string): { bits: number[]; v4: boolean } {
  const [address = '', lengthText] = cidr.split('/')
  const v4 = !address.includes(':')
  let bytes: number[]
  if (v4) bytes = address.split('.').map(Number)
  else {
    const [head = '', tail = ''] = address.split('::')
    const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)))
    const h = groups(head)
    const t = groups(tail)
    const all = address.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h
    bytes = all.flatMap((g) => [g >>> 8, g & 255])
  }
  const length = Number(lengthText ?? bytes.length * 8)
  const bits: number[] = []
  for (let i = 0; i < length; i++) bits.push(((bytes[i >>> 3] as number) >>> (7 - (i & 7))) & 1)
  return { bits, v4 }
}

/**
 * Builds an IPv6 database (IPv4 networks live at ::/96, where the reader looks for them).
 * Networks may nest: a more specific one overrides its enclosing one.
 */
export function writeMmdb(networks: readonly MmdbNetwork[], databaseType = 'Test-City'): Buffer {
  type Node = { children: [Node | number | null, Node | number | null] }
  const root: Node = { children: [null, null] }
  const data: number[] = []
  const sorted = [...networks].map((n) => ({ ...parse(n.cidr), record: n.record }))
  sorted.sort(
    (a, b) => (a.v4 ? a.bits.length + 96 : a.bits.length) - (b.v4 ? b.bits.length + 96 : b.bits.length),
  )
  for (const { bits: own, v4, record } of sorted) {
    const bits = v4 ? [...new Array(96).fill(0), ...own] : own
    const offset = data.length
    data.push(...encode(record))
    let node = root
    for (let i = 0; i < bits.length; i++) {
      const side = bits[i] as 0 | 1
      if (i === bits.length - 1) {
        node.children[side] = offset
        break
      }
      const next = node.children[side]
      if (typeof next === 'object' && next !== null) node = next
      else {
        // a record here is a wider network: push it down both halves
        const child: Node = { children: [next, next] }
        node.children[side] = child
        node = child
      }
    }
  }
  const nodes: Node[] = []
  const number = new Map<Node, number>()
  const walk = (node: Node) => {
    number.set(node, nodes.length)
    nodes.push(node)
    for (const child of node.children) if (typeof child === 'object' && child !== null) walk(child)
  }
  walk(root)
  const count = nodes.length
  const record = (child: Node | number | null): number => {
    if (child === null) return count
    if (typeof child === 'number') return count + 16 + child
    return number.get(child) as number
  }
  const tree: number[] = []
  for (const node of nodes) {
    for (const child of node.children) {
      const r = record(child)
      tree.push((r >>> 16) & 255, (r >>> 8) & 255, r & 255)
    }
  }
  const metadata = encode({
    node_count: count,
    record_size: 24,
    ip_version: 6,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1700000000,
    description: { en: 'shoal test database' },
  })
  const marker = [0xab, 0xcd, 0xef, ...new TextEncoder().encode('MaxMind.com')]
  return Buffer.from([...tree, ...new Array(16).fill(0), ...data, ...marker, ...metadata])
}

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RRType } from '../../src/wire/index.js'
import { checkZone, parseZone, type RRset, rrsetLines } from '../../src/zone/index.js'
import {
  expectedRdata,
  keyOf,
  ORIGIN,
  ownerWire,
  style,
  typeCode,
  writeZone,
  type ZoneModel,
  zoneModel,
} from './zone-gen.js'

interface ExpectedSet {
  owner: Buffer
  type: number
  ttl: number
  rdatas: string[]
}

// What the parsed zone must hold: one RRset per name and type, the lowest TTL, duplicates once.
function expectedSets(model: ZoneModel): Map<string, ExpectedSet> {
  const sets = new Map<string, ExpectedSet>()
  for (const record of model.records) {
    const type = typeCode(record.data)
    const key = `${keyOf(record.owner)} ${type}`
    const rdata = expectedRdata(record.data).toString('hex')
    const set = sets.get(key)
    if (set === undefined)
      sets.set(key, { owner: ownerWire(record.owner), type, ttl: record.ttl, rdatas: [rdata] })
    else {
      set.ttl = Math.min(set.ttl, record.ttl)
      if (!set.rdatas.includes(rdata)) set.rdatas.push(rdata)
    }
  }
  return sets
}

function ownerKeyOf(wire: Uint8Array): string {
  const labels: string[] = []
  for (let at = 0; wire[at] !== 0; at += 1 + (wire[at] as number)) {
    const label = Buffer.from(wire.subarray(at + 1, at + 1 + (wire[at] as number)))
    labels.push(Buffer.from(label.map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b))).toString('hex'))
  }
  return labels.slice(0, -2).join('.')
}

function actualSets(rrsets: Iterable<RRset>): Map<string, ExpectedSet> {
  const sets = new Map<string, ExpectedSet>()
  for (const set of rrsets) {
    if (set.type === RRType.SOA || (set.type === RRType.NS && set.owner === ORIGIN)) continue
    sets.set(`${ownerKeyOf(set.ownerWire)} ${set.type}`, {
      owner: Buffer.from(set.ownerWire),
      type: set.type,
      ttl: set.ttl,
      rdatas: set.rdatas.map((r) => Buffer.from(r).toString('hex')),
    })
  }
  return sets
}

describe('generated zones, written as text and parsed back', () => {
  it('give the same records, whatever the writing style', () => {
    fc.assert(
      fc.property(zoneModel, fc.array(style, { minLength: 1, maxLength: 6 }), (model, styles) => {
        const text = writeZone(model, styles)
        const check = checkZone(text, { origin: ORIGIN })
        if (check.errors.length > 0)
          throw new Error(`${check.errors.map((e) => e.message).join('\n')}\n${text}`)
        const zone = check.zone
        if (zone === undefined) throw new Error('no zone')
        const expected = expectedSets(model)
        const actual = actualSets(zone.rrsets())
        expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
        for (const [key, want] of expected) {
          const got = actual.get(key) as ExpectedSet
          expect(got.ttl, key).toBe(want.ttl)
          expect(got.rdatas, key).toEqual(want.rdatas)
          // the owner keeps the case of the first record at that name
          const name = key.slice(0, key.lastIndexOf(' '))
          const first = model.records.find((r) => keyOf(r.owner) === name)
          expect(got.owner.equals(ownerWire(first?.owner ?? []))).toBe(true)
        }
        // every name with data is found by its lowercase key
        for (const set of zone.rrsets()) {
          const found = zone.lookup(set.owner.toLowerCase())
          const has = found.kind === 'answer' && found.rrsets.get(set.type) === set
          expect(has, set.owner).toBe(true)
        }
      }),
      { numRuns: 150 },
    )
  })

  it('read back from their own text form (rrsetLines) to the same bytes', () => {
    fc.assert(
      fc.property(zoneModel, fc.array(style, { minLength: 1, maxLength: 3 }), (model, styles) => {
        const zone = parseZone(writeZone(model, styles), { origin: ORIGIN })
        const dump = [...zone.rrsets()].flatMap(rrsetLines).join('\n')
        const again = parseZone(dump, { origin: ORIGIN })
        const before = [...zone.rrsets()].map((s) => [
          s.owner,
          s.type,
          s.ttl,
          s.rdatas.map((r) => Buffer.from(r).toString('hex')),
        ])
        const after = [...again.rrsets()].map((s) => [
          s.owner,
          s.type,
          s.ttl,
          s.rdatas.map((r) => Buffer.from(r).toString('hex')),
        ])
        expect(after).toEqual(before)
      }),
      { numRuns: 100 },
    )
  })
})

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError } from '@shoal/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RRType } from '../../src/wire/index.js'
import { checkZoneFile, loadZoneFile, MAX_INCLUDE_DEPTH } from '../../src/zone/index.js'

let dir = ''
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-zone-load-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function write(name: string, text: string): string {
  const path = join(dir, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}

const HEAD = '$TTL 300\n@ SOA ns hostmaster 1 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.1\n'

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

describe('loadZoneFile', () => {
  it('reads a zone file', async () => {
    const path = write('example.com.zone', `${HEAD}www A 192.0.2.80\n`)
    const zone = await loadZoneFile(path, { origin: 'example.com' })
    expect(zone.lookup('www.example.com').kind).toBe('answer')
    expect(zone.soa.sources).toEqual([`${path}:2`])
  })

  it('resolves $INCLUDE relative to the including file, with its own origin, and restores origin and owner after it', async () => {
    write('zones/hosts/web.zone', 'www A 192.0.2.80\n  AAAA 2001:db8::80\napi A 192.0.2.81\n')
    write('zones/sub.zone', '$INCLUDE hosts/web.zone\n')
    const path = write(
      'zones/example.com.zone',
      `${HEAD}owner TXT "before"\n$INCLUDE sub.zone eu\n  TXT "after"\n$INCLUDE hosts/web.zone\nlast A 192.0.2.99\n`,
    )
    const zone = await loadZoneFile(path, { origin: 'example.com' })
    for (const name of ['www.eu.example.com', 'api.eu.example.com', 'www.example.com', 'last.example.com'])
      expect(zone.lookup(name).kind, name).toBe('answer')
    const www = zone.lookup('www.eu.example.com')
    expect(www.kind === 'answer' && www.rrsets.get(RRType.AAAA)?.sources).toEqual([
      join(dir, 'zones/hosts/web.zone:2'),
    ])
    // the blank owner after the $INCLUDE continues the owner from before it
    const owner = zone.lookup('owner.example.com')
    expect(owner.kind === 'answer' && owner.rrsets.get(RRType.TXT)?.texts).toEqual(['"before"', '"after"'])
  })

  it('reports errors in an included file at its own path and line, with the rest of the zone', async () => {
    write('bad.zone', 'ok A 192.0.2.1\nbad A 192.0.2.300\n')
    const path = write('zone', `${HEAD}$INCLUDE bad.zone\nx A 1.2.3\n`)
    const check = await checkZoneFile(path, { origin: 'example.com' })
    expect(check.errors.map((e) => e.message)).toEqual([
      `${join(dir, 'bad.zone')}:2: '192.0.2.300' is not an IPv4 address (four numbers 0–255 without leading zeros, like 192.0.2.1)`,
      `${path}:6: '1.2.3' is not an IPv4 address (four numbers 0–255 without leading zeros, like 192.0.2.1)`,
    ])
    const err = await rejection(loadZoneFile(path, { origin: 'example.com' }))
    expect(isShoalError(err, 'ERR_ZONE_SYNTAX')).toBe(true)
    expect(isShoalError(err) && err.details).toMatchObject({ file: join(dir, 'bad.zone'), line: 2 })
  })

  it('refuses an $INCLUDE that cannot be read, at its line', async () => {
    const path = write('zone', `${HEAD}$INCLUDE missing.zone\n`)
    const check = await checkZoneFile(path, { origin: 'example.com' })
    expect(check.errors).toHaveLength(1)
    expect(check.errors[0]?.code).toBe('ERR_ZONE_INVALID')
    expect(check.errors[0]?.details).toEqual({ file: path, line: 5 })
    expect(check.errors[0]?.message).toMatch(/\$INCLUDE missing.zone: cannot read .*missing.zone: ENOENT/)
  })

  it('refuses includes that loop', async () => {
    write('a.zone', '$INCLUDE b.zone\n')
    write('b.zone', '$INCLUDE a.zone\n')
    const path = write('zone', `${HEAD}$INCLUDE a.zone\n`)
    const check = await checkZoneFile(path, { origin: 'example.com' })
    expect(check.errors.map((e) => e.message)).toEqual([
      `${join(dir, 'b.zone')}:1: $INCLUDE a.zone: the includes loop (${path} → ${join(dir, 'a.zone')} → ${join(dir, 'b.zone')} → ${join(dir, 'a.zone')}); a file cannot include itself`,
    ])
  })

  it(`nests includes ${MAX_INCLUDE_DEPTH} deep and no deeper`, async () => {
    const chain = async (depth: number) => {
      const sub = mkdtempSync(join(dir, 'chain-'))
      for (let i = 1; i <= depth; i++)
        writeFileSync(
          join(sub, `${i}.zone`),
          i < depth ? `$INCLUDE ${i + 1}.zone\n` : 'deepest A 192.0.2.9\n',
        )
      writeFileSync(join(sub, 'zone'), `${HEAD}$INCLUDE 1.zone\n`)
      return checkZoneFile(join(sub, 'zone'), { origin: 'example.com' })
    }
    const deepest = await chain(MAX_INCLUDE_DEPTH)
    expect(deepest.errors).toEqual([])
    expect(deepest.zone?.lookup('deepest.example.com').kind).toBe('answer')
    const tooDeep = await chain(MAX_INCLUDE_DEPTH + 1)
    expect(tooDeep.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `${MAX_INCLUDE_DEPTH}\\.zone:1: \\$INCLUDE ${MAX_INCLUDE_DEPTH + 1}\\.zone: includes nest deeper than ${MAX_INCLUDE_DEPTH} files`,
        ),
      ),
    ])
  })

  it('rejects with ERR_ZONE_READ when the zone file cannot be read', async () => {
    const err = await rejection(loadZoneFile(join(dir, 'nothing'), { origin: 'example.com' }))
    expect(isShoalError(err, 'ERR_ZONE_READ')).toBe(true)
    expect(String((err as Error).message)).toMatch(/cannot read the zone file .*nothing: ENOENT/)
  })

  it('stops when the signal aborts', async () => {
    const path = write('zone', HEAD)
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    const err = await rejection(loadZoneFile(path, { origin: 'example.com', signal: controller.signal }))
    expect((err as Error).message).toBe('stop')
  })

  it('refuses a bad path at once', async () => {
    const err = await rejection(loadZoneFile('', { origin: 'example.com' }))
    expect(isShoalError(err, 'ERR_INVALID_ARGUMENT')).toBe(true)
  })
})

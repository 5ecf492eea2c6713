import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizePath, refererSite, UserAgentFamilies, userAgentFamily } from '../src/index.js'

describe('normalizePath', () => {
  it('strips queries, decodes escapes and collapses ids', () => {
    expect(normalizePath('/users/123/avatar.png?s=40')).toBe('/users/:id/avatar.png')
    expect(normalizePath('/caf%C3%A9/')).toBe('/café/')
    expect(normalizePath('/bad%zz')).toBe('/bad%zz')
    expect(normalizePath('/o/3f2a9c1e-0b7d-4c1e-9a3b-2b1c4d5e6f70/x')).toBe('/o/:id/x')
    expect(normalizePath('/assets/app.0123456789abcdef.js')).toBe('/assets/app.0123456789abcdef.js')
    expect(normalizePath('/blob/0123456789abcdef0123')).toBe('/blob/:id')
    expect(normalizePath('/')).toBe('/')
    expect(normalizePath('')).toBe('')
  })

  it('honours its options and caps key length', () => {
    expect(normalizePath('/a/1?x', { stripQuery: false, collapseIds: false })).toBe('/a/1?x')
    expect(normalizePath('/%41', { percentDecode: false })).toBe('/%41')
    const long = normalizePath(`/${'p'.repeat(1000)}`, { maxLength: 20 })
    expect(long).toHaveLength(20)
    expect(long.endsWith('…')).toBe(true)
  })

  it('never throws and never grows past the cap', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (target) => {
        expect(normalizePath(target, { maxLength: 64 }).length).toBeLessThanOrEqual(64)
      }),
    )
  })
})

describe('refererSite', () => {
  it('keeps the lower-cased host', () => {
    expect(refererSite('https://WWW.Example.com:8443/a?b#c')).toBe('www.example.com')
    expect(refererSite('http://x.org')).toBe('x.org')
    for (const none of [null, undefined, '', '-', 'not a url', 'https://'])
      expect(refererSite(none)).toBeNull()
  })
})

describe('userAgentFamily', () => {
  it('names browsers, tools and crawlers', () => {
    const cases: [string, string][] = [
      ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot: Googlebot'],
      [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
        'Edge',
      ],
      [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
        'Chrome',
      ],
      ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox'],
      [
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
        'Safari',
      ],
      ['curl/8.5.0', 'curl'],
      ['Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)', 'Internet Explorer'],
      ['something else', 'unknown'],
      ['-', 'none'],
    ]
    const memo = new UserAgentFamilies(2)
    for (const [agent, family] of cases) {
      expect(userAgentFamily(agent)).toBe(family)
      expect(memo.familyOf(agent)).toBe(family)
      expect(memo.familyOf(agent)).toBe(family)
    }
    expect(memo.familyOf(null)).toBe('none')
  })
})

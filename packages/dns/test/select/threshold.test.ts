import { describe, expect, it } from 'vitest'
import { upThresholdNeed, upThresholdPasses } from '../../src/select/index.js'

// The table of gdnsd-plugin-multifo(8), "UP THRESH": for each threshold, the non-down/total
// needed to pass, for totals 1 to 8 and 16.
const GDNSD_TABLE: Record<string, string> = {
  '0.1': '1/1 1/2 1/3 1/4 1/5 1/6 1/7 1/8 2/16',
  '0.2': '1/1 1/2 1/3 1/4 1/5 2/6 2/7 2/8 4/16',
  '0.3': '1/1 1/2 1/3 2/4 2/5 2/6 3/7 3/8 5/16',
  '0.4': '1/1 1/2 2/3 2/4 2/5 3/6 3/7 4/8 7/16',
  '0.5': '1/1 1/2 2/3 2/4 3/5 3/6 4/7 4/8 8/16',
  '0.6': '1/1 2/2 2/3 3/4 3/5 4/6 5/7 5/8 10/16',
  '0.7': '1/1 2/2 3/3 3/4 4/5 5/6 5/7 6/8 12/16',
  '0.8': '1/1 2/2 3/3 4/4 4/5 5/6 6/7 7/8 13/16',
  '0.9': '1/1 2/2 3/3 4/4 5/5 6/6 7/7 8/8 15/16',
}

describe('up threshold (gdnsd up_thresh)', () => {
  for (const [threshold, row] of Object.entries(GDNSD_TABLE)) {
    it(`${threshold}: ${row}`, () => {
      for (const cell of row.split(' ')) {
        const [need, total] = cell.split('/').map(Number) as [number, number]
        expect(upThresholdNeed(Number(threshold), total)).toBe(need)
        expect(upThresholdPasses(need, total, Number(threshold))).toBe(true)
        expect(upThresholdPasses(need - 1, total, Number(threshold))).toBe(false)
      }
    })
  }

  it('the vectors the design names: 0.1 → 1/3, 0.5 → 2/3, 0.9 → 15/16', () => {
    expect(upThresholdNeed(0.1, 3)).toBe(1)
    expect(upThresholdNeed(0.5, 3)).toBe(2)
    expect(upThresholdNeed(0.9, 16)).toBe(15)
  })

  it('is not thrown off by binary rounding (0.7 × 10, 0.3 × 10)', () => {
    expect(upThresholdNeed(0.7, 10)).toBe(7)
    expect(upThresholdNeed(0.3, 10)).toBe(3)
    expect(upThresholdNeed(1, 40)).toBe(40)
  })

  it('without a threshold, anything up passes and nothing up fails', () => {
    expect(upThresholdPasses(1, 40, 0)).toBe(true)
    expect(upThresholdPasses(0, 40, 0)).toBe(false)
  })
})

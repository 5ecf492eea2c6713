import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventQueue } from '../src/index.js'

describe('EventQueue', () => {
  it('pops in time order, ties in insertion order, whatever the pushes and pops', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }),
        (ops) => {
          const queue = new EventQueue<{ time: number; seq: number; id: number }>()
          const model: { time: number; id: number }[] = []
          ops.forEach((op, id) => {
            if (op === -1) {
              model.sort((a, b) => a.time - b.time || a.id - b.id)
              expect(queue.pop()?.id).toBe(model.shift()?.id)
            } else {
              queue.push({ time: op, seq: 0, id })
              model.push({ time: op, id })
            }
            expect(queue.size).toBe(model.length)
          })
        },
      ),
    )
  })
})

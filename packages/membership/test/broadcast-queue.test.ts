import { describe, expect, it } from 'vitest'
import { BroadcastQueue } from '../src/core/broadcast-queue.js'
import type { Message } from '../src/wire/messages.js'

const alive = (name: string, incarnation = 0): Message => ({
  type: 'alive',
  name,
  address: name,
  incarnation,
  meta: {},
})

describe('BroadcastQueue', () => {
  it('sends the least-sent updates first, the newest first among equals, each up to the limit', () => {
    const q = new BroadcastQueue()
    q.enqueue('a', alive('a'), 10)
    q.enqueue('b', alive('b'), 10)
    const first: Message[] = []
    q.fill(first, 10, 64, 2)
    expect(first).toEqual([alive('b')])
    const second: Message[] = []
    q.fill(second, 100, 64, 2)
    expect(second).toEqual([alive('a'), alive('b')]) // a: sent 0 times, then b: once
    const third: Message[] = []
    q.fill(third, 100, 64, 2)
    expect(third).toEqual([alive('a')]) // b reached the limit of 2
    expect(q.size).toBe(0)
  })

  it('a newer update about a member replaces the older one', () => {
    const q = new BroadcastQueue()
    q.enqueue('a', alive('a', 1), 10)
    q.enqueue('a', alive('a', 2), 10)
    const out: Message[] = []
    q.fill(out, 100, 64, 5)
    expect(out).toEqual([alive('a', 2)])
    expect(q.size).toBe(1)
    q.remove('a')
    expect(q.size).toBe(0)
  })

  it('respects the byte budget and the count', () => {
    const q = new BroadcastQueue()
    for (let i = 0; i < 10; i++) q.enqueue(`m${i}`, alive(`m${i}`), 30)
    const out: Message[] = []
    expect(q.fill(out, 100, 64, 3)).toBe(90)
    expect(out).toHaveLength(3)
    const few: Message[] = []
    q.fill(few, 10_000, 2, 3)
    expect(few).toHaveLength(2)
  })

  it('stays correct under heavy churn of replacements', () => {
    const q = new BroadcastQueue()
    for (let i = 0; i < 100_000; i++) q.enqueue(`m${i % 7}`, alive(`m${i % 7}`, i), 10)
    expect(q.size).toBe(7)
    const out: Message[] = []
    q.fill(out, 10_000, 64, 1)
    expect(out.map((m) => (m.type === 'alive' ? m.incarnation : -1)).sort((a, b) => a - b)).toEqual([
      99_993, 99_994, 99_995, 99_996, 99_997, 99_998, 99_999,
    ])
    expect(q.size).toBe(0)
  })
})

import { ByteReader } from '../src/bytes/byte-reader.js'
import { ByteWriter } from '../src/bytes/byte-writer.js'
import { invalidSketch } from '../src/errors.js'
import type { AggregateFactory, PaneAggregate } from '../src/time/pane-aggregate.js'

const MAGIC = 0x4353 // 'SC'

/** The test aggregate: how many values and their sum (integers, so sums are exact). */
export class CountSum implements PaneAggregate<number, CountSum> {
  count = 0
  sum = 0

  add(value: number): void {
    this.count++
    this.sum += value
  }

  merge(other: CountSum): void {
    this.count += other.count
    this.sum += other.sum
  }

  toBytes(): Uint8Array {
    return new ByteWriter(20).u16(MAGIC).f64(this.count).f64(this.sum).finish()
  }

  toJSON(): { count: number; sum: number } {
    return { count: this.count, sum: this.sum }
  }

  static fromBytes(bytes: Uint8Array): CountSum {
    const reader = new ByteReader(bytes)
    if (reader.u16() !== MAGIC) throw invalidSketch('not a CountSum image', 0)
    const out = new CountSum()
    out.count = reader.f64()
    out.sum = reader.f64()
    if (!Number.isSafeInteger(out.count) || out.count < 0) throw invalidSketch('bad count', 2)
    if (!Number.isFinite(out.sum)) throw invalidSketch('bad sum', 10)
    reader.end()
    return out
  }
}

export const countSum: AggregateFactory<CountSum> = {
  create: () => new CountSum(),
  fromBytes: (bytes) => CountSum.fromBytes(bytes),
}

/** Per-status request counts: the shape a web aggregate gives alert metrics. */
export class StatusCounts implements PaneAggregate<number, StatusCounts> {
  requests = 0
  status5xx = 0

  add(status: number): void {
    this.requests++
    if (status >= 500 && status <= 599) this.status5xx++
  }

  merge(other: StatusCounts): void {
    this.requests += other.requests
    this.status5xx += other.status5xx
  }

  toBytes(): Uint8Array {
    return new ByteWriter(16).f64(this.requests).f64(this.status5xx).finish()
  }
}

export const statusCounts: AggregateFactory<StatusCounts> = {
  create: () => new StatusCounts(),
  fromBytes: (bytes) => {
    const reader = new ByteReader(bytes)
    const out = new StatusCounts()
    out.requests = reader.f64()
    out.status5xx = reader.f64()
    reader.end()
    return out
  },
}

export function statusMetrics(stats: StatusCounts): Record<string, number | null> {
  return {
    requests: stats.requests,
    status5xx: stats.status5xx,
    ratio5xx: stats.requests === 0 ? null : stats.status5xx / stats.requests,
  }
}

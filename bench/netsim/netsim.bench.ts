/**
 * Benchmark of `@shoal/netsim`: simulated datagram deliveries per second of wall time, N nodes
 * gossiping (each node, every 10 virtual ms, sends a datagram to 3 random peers; 1 % loss,
 * 1–5 ms uniform delay, so datagrams reorder). Beside it, the same workload on a naive simulator
 * whose agenda is a sorted array (binary search + splice), the textbook first attempt, so the ratio
 * says what the heap and the monomorphic event records buy.
 *
 *   npm run bench -- netsim            (--smoke for a tiny workload, --nodes N, --seconds S)
 */
import { createRandom, type Random } from '@shoal/core'
import { type NodeEffect, type NodeFactory, Simulation, type TraceMode } from '@shoal/netsim'
import {
  type Comparison,
  type Contender,
  type NodeContender,
  runBenchmark,
  type Tally,
  type Workload,
} from '../src/harness.js'

interface GossipWorkload extends Workload {
  readonly nodes: number
  readonly virtualMs: number
}

const INTERVAL = 10
const FANOUT = 3
const SIZE = 64

/** The gossiping core: reuses its effects array and payload (the simulator consumes them at once). */
function gossip(names: readonly string[]): NodeFactory<never, never> {
  return ({ name, random, now }) => {
    const peers = names.filter((n) => n !== name)
    const data = new Uint8Array(SIZE)
    const effects: NodeEffect<never>[] = []
    const timer = { type: 'setTimer' as const, id: 'gossip', at: 0 }
    const none: readonly NodeEffect<never>[] = []
    return {
      step(t, input) {
        if (input.type === 'start') {
          timer.at = now + random.int(INTERVAL)
          return [timer]
        }
        if (input.type !== 'timer') return none
        effects.length = 0
        for (let i = 0; i < FANOUT; i++) {
          effects.push({ type: 'send', to: peers[random.int(peers.length)] as string, data })
        }
        timer.at = t + INTERVAL
        effects.push(timer)
        return effects
      },
    }
  }
}

function netsim(trace: TraceMode): NodeContender<GossipWorkload>['load'] {
  return async (workload) => async () => {
    const names = Array.from({ length: workload.nodes }, (_, i) => `n${i}`)
    const sim = new Simulation<never, never>({
      seed: 1,
      trace,
      link: { loss: 0.01, delay: { kind: 'uniform', min: 1, max: 5 } },
    })
    const factory = gossip(names)
    for (const n of names) sim.add(n, factory)
    sim.run({ until: workload.virtualMs })
    return tally(sim.counters.delivered, sim.counters.sent)
  }
}

function tally(delivered: number, sent: number): Tally {
  return { accepted: delivered, checks: { deliveredShare: delivered / sent } }
}

/** The naive simulator: the same model, its agenda a sorted array. */
function sortedArray(workload: GossipWorkload): () => Promise<Tally> {
  return async () => {
    interface Ev {
      time: number
      seq: number
      node: number
      timer: boolean
    }
    const random: Random = createRandom(1)
    const n = workload.nodes
    const agenda: Ev[] = []
    let seq = 0
    const insert = (ev: Ev) => {
      let lo = 0
      let hi = agenda.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        const m = agenda[mid] as Ev
        if (m.time < ev.time || (m.time === ev.time && m.seq < ev.seq)) lo = mid + 1
        else hi = mid
      }
      agenda.splice(lo, 0, ev)
    }
    for (let i = 0; i < n; i++) insert({ time: random.int(INTERVAL), seq: seq++, node: i, timer: true })
    let sent = 0
    let delivered = 0
    let head = 0
    while (head < agenda.length) {
      const ev = agenda[head] as Ev
      if (ev.time > workload.virtualMs) break
      agenda.splice(0, 1)
      if (!ev.timer) {
        delivered++
        continue
      }
      for (let k = 0; k < FANOUT; k++) {
        let to = random.int(n - 1)
        if (to >= ev.node) to++
        sent++
        if (random.next() < 0.01) continue
        insert({ time: ev.time + 1 + 4 * random.next(), seq: seq++, node: to, timer: false })
      }
      insert({ time: ev.time + INTERVAL, seq: seq++, node: ev.node, timer: true })
      head = 0
    }
    return tally(delivered, sent)
  }
}

const contenders: Contender<GossipWorkload>[] = [
  {
    name: 'netsim',
    description: '@shoal/netsim Simulation, trace off',
    ours: true,
    load: netsim('off'),
  },
  {
    name: 'netsim-hash',
    description: '@shoal/netsim Simulation, trace hashed (replay checks on)',
    load: netsim('hash'),
  },
  {
    name: 'sorted-array',
    description: 'naive simulator: agenda in a sorted array (binary search + splice), no per-link model',
    async load(workload) {
      return sortedArray(workload)
    },
  },
]

const deliveries: Comparison<GossipWorkload> = {
  id: 'gossip',
  title: 'Simulated datagram deliveries per second of wall time',
  perItem: 'delivery',
  columns: [{ check: 'deliveredShare', header: 'delivered', format: (v) => `${(v * 100).toFixed(1)}%` }],
  prepare(context) {
    const nodes = Number(context.options.nodes ?? 64)
    const seconds = Number(context.options.seconds ?? (context.smoke ? 1 : 60))
    const perSecond = nodes * FANOUT * (1000 / INTERVAL)
    return {
      description: `${nodes} nodes gossiping to ${FANOUT} peers every ${INTERVAL} ms for ${seconds} virtual s (≈ ${(perSecond * seconds).toLocaleString('en')} datagrams)`,
      items: Math.round(perSecond * seconds * 0.99),
      bytes: 0,
      unit: 'deliveries',
      nodes,
      virtualMs: seconds * 1000,
    }
  },
  contenders,
}

await runBenchmark({
  package: 'netsim',
  title: '@shoal/netsim: simulated deliveries per second',
  usage: '64 nodes, 60 virtual seconds (about 1.15 M deliveries); --nodes N --seconds S to change',
  options: { nodes: { type: 'string' }, seconds: { type: 'string' } },
  comparisons: [deliveries],
})

import type { NodeEffect, NodeFactory } from '../src/index.js'

export type PingEvent =
  | { type: 'ping' | 'pong'; from: string; seq: number }
  | { type: 'started'; incarnation: number }

const PING = 1
const PONG = 2

/** A tiny protocol: every `interval` ms each node pings every peer; a ping is answered with a pong. */
export function pingPong(
  peers: readonly string[],
  interval = 10,
  bytes = 8,
): NodeFactory<'ping-now', PingEvent> {
  return ({ name, incarnation, now }) => {
    let seq = 0
    const others = peers.filter((p) => p !== name)
    const pingAll = (): NodeEffect<PingEvent>[] =>
      others.map((to) => {
        const data = new Uint8Array(bytes)
        data[0] = PING
        data[1] = seq & 0xff
        return { type: 'send', to, data }
      })
    return {
      step(t, input) {
        switch (input.type) {
          case 'start':
            return [
              { type: 'emit', event: { type: 'started', incarnation } },
              { type: 'setTimer', id: 'ping', at: now + interval },
            ]
          case 'timer': {
            seq++
            return [...pingAll(), { type: 'setTimer', id: 'ping', at: t + interval }]
          }
          case 'app':
            seq++
            return pingAll()
          case 'datagram': {
            const kind = input.data[0]
            const s = input.data[1] ?? 0
            if (kind === PING) {
              const reply = new Uint8Array(input.data)
              reply[0] = PONG
              return [
                { type: 'emit', event: { type: 'ping', from: input.from, seq: s } },
                { type: 'send', to: input.from, data: reply },
              ]
            }
            return [{ type: 'emit', event: { type: 'pong', from: input.from, seq: s } }]
          }
        }
      },
    }
  }
}

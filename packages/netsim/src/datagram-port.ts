import { type DatagramAddress, type DatagramHandler, type DatagramPort, ShoalError } from '@shoal/core'
import type { Simulation } from './simulation.js'

/**
 * A `DatagramPort` (the `@shoal/core` transport contract) on a simulated network: a node of a
 * {@link Simulation} whose datagrams go to a handler, so adapter code written against
 * `DatagramPort` runs under the simulator's faults. Its address is its node name.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 7 })
 * const a = openPort(sim, 'a')
 * const b = openPort(sim, 'b')
 * b.onDatagram((data, from) => b.send(from, data))
 * a.send('b', new Uint8Array([1, 2]))
 * sim.runFor(5)
 * ```
 */
export class SimDatagramPort implements DatagramPort {
  /** The node name peers send to. */
  readonly address: DatagramAddress
  readonly #sim: Simulation
  #handler: DatagramHandler | undefined
  #closed = false

  /**
   * Adds a node named `address` to `sim` for this port.
   *
   * @param sim - the simulation the port lives on
   * @param address - the node name (its address)
   */
  constructor(sim: Simulation, address: DatagramAddress) {
    this.address = address
    this.#sim = sim
    sim.add(address, () => ({
      step: (_now, input) => {
        if (input.type === 'datagram' && !this.#closed) this.#handler?.(input.data, input.from)
        return []
      },
    }))
  }

  /** Sends `data` to the node named `to`, through the simulated network. */
  send(to: DatagramAddress, data: Uint8Array): void {
    if (this.#closed) throw new ShoalError('ERR_PORT_CLOSED', `port ${this.address} is closed`)
    this.#sim.send(this.address, to, data)
  }

  /** Sets the handler of arriving datagrams (replacing any earlier one). */
  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler
  }

  /** Stops receiving; later datagrams to this address are ignored. */
  async close(): Promise<void> {
    this.#closed = true
    this.#handler = undefined
  }
}

/**
 * Opens a {@link SimDatagramPort} named `address` on `sim`.
 *
 * @example
 * ```ts
 * const port = openPort(new Simulation({ seed: 1 }), 'node-1')
 * port.address // 'node-1'
 * ```
 */
export function openPort(sim: Simulation, address: DatagramAddress): SimDatagramPort {
  return new SimDatagramPort(sim, address)
}

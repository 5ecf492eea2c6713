// Our server on the interop fixture, in this process: the zone file and the configuration file
// written to a temporary directory, loaded and validated as `shoal-dns serve --config` loads them,
// answering on 127.0.0.1 at a port the kernel picks (UDP and TCP on the same port).

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DnsServer } from '../../src/server/dns-server.js'
import { ourConfig, STATIC_ZONE } from './fixture.js'

/** A running server of ours. */
export interface OurServer {
  readonly port: number
  /** The process answering (this one). */
  readonly pid: number
  /** The directory holding its zone and configuration files. */
  readonly dir: string
  readonly server: DnsServer
  stop(): Promise<void>
}

const silent = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * Writes the fixture's zone and configuration (with `extra` merged in) and starts a `DnsServer` on
 * them, listening on 127.0.0.1 at a port the kernel picks (TCP takes the port UDP got; should TCP
 * find it taken, another is tried).
 */
export async function startOurs(extra: Record<string, unknown> = {}): Promise<OurServer> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-dns-ours-'))
  try {
    const zoneFile = join(dir, 'example.com.zone')
    const configFile = join(dir, 'dns.json')
    await writeFile(zoneFile, STATIC_ZONE)
    await writeFile(configFile, JSON.stringify(ourConfig(zoneFile, 0, extra), null, 2))
    let lastError: unknown
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new DnsServer({ configFile, logger: silent, http: false })
      try {
        await server.start()
      } catch (error) {
        lastError = error
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') continue
        throw error
      }
      const udp = server.addresses().find((a) => a.transport === 'udp')
      if (udp === undefined) throw new Error('our server bound no UDP socket')
      return {
        port: udp.port,
        pid: process.pid,
        dir,
        server,
        async stop() {
          await server.stop()
          await rm(dir, { recursive: true, force: true })
        },
      }
    }
    throw lastError
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

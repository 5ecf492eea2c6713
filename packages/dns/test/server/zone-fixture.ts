// The zone and responder the responder's tests and fuzzer share.
import { Responder, type ResponderOptions } from '../../src/server/responder.js'
import { buildServing } from '../../src/server/serving.js'
import { parseZone } from '../../src/zone/parse.js'

/** A zone with one of everything the responder treats differently. */
export const ZONE = `$TTL 3600
@         SOA   ns1 hostmaster ( 2026112601 7200 1800 1209600 300 )
@         NS    ns1
@         NS    ns2
@         MX    10 mail
ns1       A     192.0.2.253
ns2       A     192.0.2.254
mail      A     192.0.2.25
mail      AAAA  2001:db8::25
www       A     192.0.2.1
www       A     192.0.2.2
www       A     192.0.2.3
www       AAAA  2001:db8::1
alias     CNAME www
chain     CNAME alias
a.b       A     192.0.2.70
sub       NS    ns.sub
ns.sub    A     192.0.2.80
*.wild    A     192.0.2.90
${Array.from({ length: 100 }, (_, i) => `big A 198.51.100.${i + 1}`).join('\n')}
${Array.from({ length: 40 }, (_, i) => `mid A 203.0.113.${i + 1}`).join('\n')}
`

/** A responder over {@link ZONE}, with `options` added. */
export function responder(options: Partial<ResponderOptions> = {}): Responder {
  return new Responder({
    serving: buildServing([parseZone(ZONE, { origin: 'example.com' })]),
    ...options,
  })
}

import type { MemberEvent, MemberSnapshot } from '../core/events.js'

/**
 * One membership event as `shoal-member` prints it: a JSON line, or a line of text.
 *
 * @example
 * ```ts
 * membership.addEventListener('dead', (event) => process.stdout.write(formatEvent(event.detail, true)))
 * ```
 */
export function formatEvent(event: MemberEvent, json: boolean): string {
  const m = event.member
  const time = new Date(event.time).toISOString()
  if (json)
    return `${JSON.stringify({
      type: event.type,
      member: m.name,
      state: m.state,
      incarnation: m.incarnation,
      address: m.address,
      meta: m.meta,
      time,
    })}\n`
  return `${time} ${event.type.padEnd(7)} ${m.name} at ${m.address} (${m.state}, incarnation ${m.incarnation})${metaText(m.meta)}\n`
}

/**
 * The members as `shoal-member --list` prints them: a table, or one JSON line per member.
 *
 * @example
 * ```ts
 * process.stdout.write(formatMembers(membership.members(), false))
 * ```
 */
export function formatMembers(members: readonly MemberSnapshot[], json: boolean): string {
  if (json)
    return members
      .map(
        (m) =>
          `${JSON.stringify({ name: m.name, address: m.address, state: m.state, incarnation: m.incarnation, meta: m.meta })}\n`,
      )
      .join('')
  const rows = [
    ['NAME', 'ADDRESS', 'STATE', 'INCARNATION', 'META'],
    ...members.map((m) => [m.name, m.address, m.state, String(m.incarnation), metaText(m.meta).trim()]),
  ]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length))) ?? []
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('')
}

function metaText(meta: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(meta).map(([k, v]) => `${k}=${v}`)
  return pairs.length === 0 ? '' : ` ${pairs.join(' ')}`
}

import type { BadLineReason } from '../bad-line.js'

/** `reason n, reason n` for the reasons that occurred. */
export function formatCounts(counts: Readonly<Record<BadLineReason, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ')
}

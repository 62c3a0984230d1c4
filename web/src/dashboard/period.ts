// The leader's period (a quarter, or the last N days) and the link
// from a figure to the staff case list behind it. Times are China Standard Time (+08:00, no DST),
// the zone the figures are reported in (LX_TIMEZONE).

export interface Period { from: string; to: string }

const pad = (n: number) => String(n).padStart(2, '0')
const cst = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}T00:00:00+08:00`

/** "2026Q4" → [2026-10-01, 2027-01-01) in +08:00; null if it is not a quarter. */
export function quarterPeriod(quarter: string): Period | null {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter)
  if (!m) return null
  const y = Number(m[1]), q = Number(m[2])
  return { from: cst(y, 3 * q - 2, 1), to: q === 4 ? cst(y + 1, 1, 1) : cst(y, 3 * q + 1, 1) }
}

/** The quarter a date falls in, and the `count` before it, newest first. */
export function recentQuarters(now: Date, count = 6): string[] {
  const local = new Date(now.getTime() + 8 * 3600_000)
  let y = local.getUTCFullYear(), q = Math.floor(local.getUTCMonth() / 3) + 1
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    out.push(`${y}Q${q}`)
    if (--q === 0) { q = 4; y-- }
  }
  return out
}

export type Group = 'unit' | 'topic' | 'town'
export type Measure = 'total' | 'completion' | 'on_time' | 'satisfaction'

/** The staff case list's query for the cases behind a figure: the group's filter and the
 * period; for the on-time rate, the overdue ones (what pulls that rate down). */
export function drillQuery(p: Period, group: Group | null, key: string | null, measure: Measure): Record<string, string> {
  const q: Record<string, string> = { from: p.from, to: p.to }
  if (group && key) q[group] = key
  if (measure === 'on_time') q.overdue = 'true'
  if (measure === 'completion') q.status = 'received,assigned,in_progress,replied,return_requested'
  return q
}

export interface Rate { numerator: number; denominator: number; value: number | null }

export function pct(r: Rate | undefined | null): string {
  return r && r.value !== null && r.value !== undefined ? `${Math.round(r.value * 1000) / 10}%` : '—'
}

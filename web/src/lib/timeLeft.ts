// Time left on a case's clock, as staff read it: working days (Monday to Friday) until the due
// date, negative when overdue. The deadline itself and the yellow/red warning come from the
// API (which knows the holidays and 调休 of lianxin/calendar.py); the browser does not know the
// holiday calendar, so its working-day figure skips weekends only — the colour never depends
// on it. If the API sends `working_days_left`, that figure is used as it is.

export type Risk = 'red' | 'yellow' | 'none'

export interface Clocked {
  due_at?: string | null
  overdue?: boolean
  warning?: string
  working_days_left?: number | null
}

const DAY = 24 * 60 * 60 * 1000

function isWeekday(d: Date): boolean {
  const wd = d.getDay()
  return wd !== 0 && wd !== 6
}

function startOfNextDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)
}

/** Working time between two instants, in days (weekdays only), negative if `to` is earlier. */
export function workingDaysBetween(from: Date, to: Date): number {
  if (to.getTime() < from.getTime()) return -workingDaysBetween(to, from)
  let total = 0
  let cursor = from
  while (cursor.getTime() < to.getTime()) {
    const next = startOfNextDay(cursor)
    const end = next.getTime() < to.getTime() ? next : to
    if (isWeekday(cursor)) total += end.getTime() - cursor.getTime()
    cursor = end
  }
  return total / DAY
}

/** The working days left (one decimal), or null when the case has no running deadline. */
export function workingDaysLeft(item: Clocked, now: Date = new Date()): number | null {
  if (typeof item.working_days_left === 'number') return item.working_days_left
  if (!item.due_at) return null
  const due = new Date(item.due_at)
  if (Number.isNaN(due.getTime())) return null
  return Math.round(workingDaysBetween(now, due) * 10) / 10
}

/** The API's verdict: red when overdue, yellow at 80% of the time used, else none. */
export function risk(item: Clocked): Risk {
  if (item.overdue || item.warning === 'red') return 'red'
  if (item.warning === 'yellow') return 'yellow'
  return 'none'
}

/** Queue order: overdue first, then at risk, then by time left; no deadline last. */
export function byTimeLeft<T extends Clocked>(items: T[], now: Date = new Date()): T[] {
  const rank: Record<Risk, number> = { red: 0, yellow: 1, none: 2 }
  return [...items].sort((a, b) => {
    const ra = rank[risk(a)]
    const rb = rank[risk(b)]
    if (ra !== rb) return ra - rb
    const la = workingDaysLeft(a, now)
    const lb = workingDaysLeft(b, now)
    if (la === null && lb === null) return 0
    if (la === null) return 1
    if (lb === null) return -1
    return la - lb
  })
}

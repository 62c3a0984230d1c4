// Dates as people read them, in the browser's time zone.
export function fmtDate(iso: string | null | undefined, withTime = true): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  const p = (n: number) => String(n).padStart(2, '0')
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
  return withTime ? `${day} ${p(d.getHours())}:${p(d.getMinutes())}` : day
}

/** A rate as a percentage; the API sends a number or {numerator, denominator, value}. */
export function fmtRate(v: unknown): string {
  const n = v && typeof v === 'object' ? (v as { value?: unknown }).value : v
  return typeof n === 'number' ? `${Math.round(n * 1000) / 10}%` : '—'
}

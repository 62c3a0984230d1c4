// The case list's filters ↔ the URL query, so a link shares a view and a saved filter is just
// a query string. Only the list filters the gateway accepts (gateway/cases_api.py
// ListQuerySchema) are kept; multi-valued ones travel comma-separated, as the API reads them.

export const FILTER_KEYS = ['status', 'unit', 'topic', 'town', 'channel', 'kind', 'flag',
  'text', 'overdue', 'warning', 'from', 'to', 'sort', 'limit'] as const
export type FilterKey = typeof FILTER_KEYS[number]
export const MULTI: FilterKey[] = ['status', 'topic', 'channel', 'kind', 'flag']
export const SORTS = ['-received_at', 'received_at', 'due_at'] as const

export interface Filters {
  status: string[]
  unit: string
  topic: string[]
  town: string
  channel: string[]
  kind: string[]
  flag: string[]
  text: string
  overdue: '' | 'true' | 'false'
  warning: '' | 'none' | 'yellow' | 'red'
  from: string
  to: string
  sort: '' | typeof SORTS[number]
  limit: string
}

export function emptyFilters(): Filters {
  return { status: [], unit: '', topic: [], town: '', channel: [], kind: [], flag: [], text: '',
    overdue: '', warning: '', from: '', to: '', sort: '', limit: '' }
}

type QueryValue = string | null | undefined | (string | null)[]

function first(value: QueryValue): string {
  if (Array.isArray(value)) return value.find((v) => v) ?? ''
  return value ?? ''
}

function list(value: QueryValue): string[] {
  const raw = Array.isArray(value) ? value.filter((v): v is string => !!v).join(',') : value ?? ''
  return raw.split(',').map((v) => v.trim()).filter(Boolean)
}

/** Filters read from a route query (unknown keys and invalid values dropped). */
export function fromQuery(query: Record<string, QueryValue>): Filters {
  const f = emptyFilters()
  for (const key of MULTI) (f[key] as string[]) = list(query[key])
  f.unit = first(query.unit)
  f.town = first(query.town)
  f.text = first(query.text).slice(0, 200)
  f.from = first(query.from)
  f.to = first(query.to)
  const overdue = first(query.overdue)
  f.overdue = overdue === 'true' || overdue === 'false' ? overdue : ''
  const warning = first(query.warning)
  f.warning = (['none', 'yellow', 'red'] as const).find((w) => w === warning) ?? ''
  const sort = first(query.sort)
  f.sort = SORTS.find((s) => s === sort) ?? ''
  const limit = Number(first(query.limit))
  f.limit = Number.isInteger(limit) && limit >= 1 && limit <= 200 ? String(limit) : ''
  return f
}

/** The query for the URL and for the API: empty filters left out, lists joined by commas. */
export function toQuery(f: Filters): Record<string, string> {
  const q: Record<string, string> = {}
  for (const key of FILTER_KEYS) {
    const value = f[key]
    const text = Array.isArray(value) ? value.join(',') : value.trim()
    if (text) q[key] = text
  }
  return q
}

/** A query string (for saved filters) and back. */
export function toQueryString(f: Filters): string {
  return new URLSearchParams(toQuery(f)).toString()
}

export function fromQueryString(qs: string): Filters {
  const params = new URLSearchParams(qs.replace(/^\?/, ''))
  const query: Record<string, string> = {}
  params.forEach((v, k) => { query[k] = v })
  return fromQuery(query)
}

/** Dates typed as YYYY-MM-DD become the RFC 3339 instants the API reads (local midnight;
 *  `to` is exclusive, so the whole `to` day is included). */
export function apiQuery(f: Filters, cursor?: string | null): Record<string, string> {
  const q = toQuery(f)
  if (q.from && /^\d{4}-\d{2}-\d{2}$/.test(q.from)) q.from = new Date(`${q.from}T00:00:00`).toISOString()
  if (q.to && /^\d{4}-\d{2}-\d{2}$/.test(q.to)) {
    const d = new Date(`${q.to}T00:00:00`)
    d.setDate(d.getDate() + 1)
    q.to = d.toISOString()
  }
  if (cursor) q.cursor = cursor
  return q
}

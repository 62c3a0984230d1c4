// What the reception screens share: the API's shapes, the desk's next step for a visit, and a
// change on the public schedule in words. The rules themselves are the server's
// (services/reception/); this only decides which button to show.
export interface Named { id: string; name: string; title?: string }
export interface Change { at: string; kind: string; field: string; from: unknown; to: unknown; reason?: string | null }
export interface Session {
  id: string; status: string; date: string; start: string; end: string; place: string
  moved_from?: string | null; cancel_reason?: string | null
  leader: Named; accompanying_units: Named[]; topics: Named[]; content: string
  capacity: number; places_left: number; waiting_list: number; changes: Change[]
  rota?: string[]; declined?: string[]; version?: number
  closing?: { received: number; registered: number; solved_on_the_spot: number; notes: string } | null
  visits?: Visit[]
}
export interface Visit {
  id: string; status: string; about: string; walk_in: boolean; position: number | null
  citizen: { name?: string; phone?: string; email?: string }
  similar_case: { id: string; title: string; status: string } | null
  matters: string[]
}

/** The desk's one step forward for a visit in `status` (the API path segment), or null. */
export function nextStep(status: string): 'check-in' | 'receive' | 'finish' | null {
  if (status === 'booked' || status === 'waitlisted') return 'check-in'
  if (status === 'waiting') return 'receive'
  if (status === 'received') return 'finish'
  return null
}

/** A matter may be registered once the citizen is received. */
export function mayRaiseMatter(status: string): boolean {
  return status === 'received' || status === 'done'
}

/** "from → to" of a change, lists joined. */
export function changeText(c: Change): string {
  const show = (v: unknown) => (Array.isArray(v) ? v.join('、') : v === null || v === undefined ? '—' : String(v))
  return `${show(c.from)} → ${show(c.to)}`
}

/** Comma- or 、-separated ids typed into a field → a list without blanks. */
export function idList(text: string): string[] {
  return text.split(/[,，、\s]+/).map((s) => s.trim()).filter(Boolean)
}

/** May a citizen book this session now? */
export function bookable(s: Session): boolean {
  return s.status === 'published'
}

/** Run `fn` again (at most `tries` times in all) while the system is busy or unreachable
 * (0, 503, 504): safe for a request carrying the same Idempotency-Key each time. */
export async function withRetries<T>(fn: () => Promise<T>, tries = 3, waitMs = 1000): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (err) {
      const status = (err as { status?: number }).status
      if (i >= tries || !(status === 0 || status === 503 || status === 504)) throw err
      await new Promise((r) => setTimeout(r, waitMs * i))
    }
  }
}

// Unit codes and names for the dispatcher's forms. The units collection is the admin's; others
// learn the units from the public figures (every unit with cases this or last quarter) and from
// the cases they see, and may type a code.
import { ref } from 'vue'
import { ApiError, get } from './client'

export interface UnitName { code: string; name: string }
let cached: Promise<UnitName[]> | null = null

function quarterOf(d: Date): string {
  return `${d.getFullYear()}Q${Math.floor(d.getMonth() / 3) + 1}`
}

async function fetchUnits(admin: boolean): Promise<UnitName[]> {
  if (admin) try {
    const units = await get<Array<{ _id?: string; id?: string; name?: string }> | { items: Array<{ _id?: string; id?: string; name?: string }> }>('/units')
    const list = Array.isArray(units) ? units : units.items
    return list.map((u) => ({ code: String(u._id ?? u.id), name: u.name ?? String(u._id ?? u.id) }))
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 403) throw err
  }
  const now = new Date()
  const before = new Date(now.getFullYear(), now.getMonth() - 3, 1)
  const found = new Map<string, string>()
  for (const q of [quarterOf(now), quarterOf(before)]) {
    try {
      const s = await get<{ units: Array<{ unit: string; name?: string }> }>('/public/stats', { quarter: q }, false)
      for (const u of s.units ?? []) found.set(u.unit, u.name ?? u.unit)
    } catch {
      // the figures are optional here
    }
  }
  return [...found].map(([code, name]) => ({ code, name }))
}

export function loadUnits(admin = false): Promise<UnitName[]> {
  if (!cached) cached = fetchUnits(admin).catch(() => { cached = null; return [] })
  return cached
}

/** A unit's name for a screen that has only its code (the code until the names arrive, or if
 *  the caller cannot learn it); reactive, for templates. */
export function useUnitName(admin = false): (code: string | null | undefined) => string {
  const names = ref<Record<string, string>>({})
  void loadUnits(admin).then((units) => {
    names.value = Object.fromEntries(units.map((u) => [u.code, u.name]))
  })
  return (code) => (code ? names.value[code] ?? code : '—')
}

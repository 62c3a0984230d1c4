// Unit codes and names for every staff screen: the directory of units (`GET /directory/units`,
// any staff member; codes, names, kinds, parents — no contacts), fetched once per page load.
import { ref } from 'vue'
import { get } from './client'

export interface UnitName { code: string; name: string }
let cached: Promise<UnitName[]> | null = null

async function fetchUnits(): Promise<UnitName[]> {
  const { items } = await get<{ items: Array<{ id: string; name: string }> }>('/directory/units')
  return items.map((u) => ({ code: u.id, name: u.name }))
}

export function loadUnits(): Promise<UnitName[]> {
  if (!cached) cached = fetchUnits().catch(() => { cached = null; return [] })
  return cached
}

/** A unit's name for a screen that has only its code (the code until the names arrive, or if
 *  they cannot be had); reactive, for templates. */
export function useUnitName(): (code: string | null | undefined) => string {
  const names = ref<Record<string, string>>({})
  void loadUnits().then((units) => {
    names.value = Object.fromEntries(units.map((u) => [u.code, u.name]))
  })
  return (code) => (code ? names.value[code] ?? code : '—')
}

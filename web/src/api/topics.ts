// Topics for the citizen's form, from the public Open311 service list (no sign-in needed);
// cached for the page's life.
import type { Topic } from './types'

let cached: Promise<Topic[]> | null = null

export function loadTopics(): Promise<Topic[]> {
  if (!cached) {
    cached = fetch('/open311/v2/services.json', { headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : []))
      .then((list: Array<{ service_code: string; service_name: string }>) =>
        list.map((s) => ({ code: s.service_code, name: s.service_name })))
      .catch(() => {
        cached = null
        return []
      })
  }
  return cached
}

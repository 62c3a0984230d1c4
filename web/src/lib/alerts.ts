// An alert's cases as the screens link them (the dashboard and the office's queue).
import type { AlertCase } from '../api/types'

export interface CaseLink { id: string; to: string; title: string }

/** An alert's cases as links to their pages: by id, the id shown, the title as the link's
 *  tooltip (the API sends each case as `{id, title}`, not as a bare id). */
export function alertCaseLinks(cases: AlertCase[] | null | undefined): CaseLink[] {
  return (cases ?? []).map((c) => ({ id: c.id, to: `/staff/cases/${c.id}`, title: c.title || c.id }))
}

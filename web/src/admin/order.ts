// Routing rules are tried in `order`; moving one rule renumbers the list in steps of 10, so
// the saved orders stay far apart and only the rules whose number changed are written.
export interface Ordered { id: string; order: number }

export function move<T>(list: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return list
  const out = [...list]
  const [item] = out.splice(from, 1)
  out.splice(to, 0, item)
  return out
}

/** The rules whose order must change for `list` to be tried in this sequence. */
export function renumber<T extends Ordered>(list: T[]): T[] {
  return list.flatMap((r, i) => (r.order === (i + 1) * 10 ? [] : [{ ...r, order: (i + 1) * 10 }]))
}

/** "line 3: unexpected end of template" → 3 (the line of a template error), else null. */
export function errorLine(message: string): number | null {
  const m = /line (\d+)/.exec(message)
  return m ? Number(m[1]) : null
}

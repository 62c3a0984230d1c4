import { describe, expect, it } from 'vitest'
import { apiQuery, emptyFilters, fromQuery, fromQueryString, toQuery, toQueryString } from './filters'

describe('filters ↔ URL query', () => {
  it('round-trips through the query string', () => {
    const f = { ...emptyFilters(), status: ['assigned', 'in_progress'], topic: ['environment'],
      text: '排污', warning: 'yellow' as const, sort: 'due_at' as const, unit: 'qingshui_town' }
    const qs = toQueryString(f)
    expect(qs).toContain('status=assigned%2Cin_progress')
    expect(fromQueryString(qs)).toEqual(f)
  })

  it('leaves empty filters out of the URL', () => {
    expect(toQuery(emptyFilters())).toEqual({})
    expect(toQuery({ ...emptyFilters(), text: '  ' })).toEqual({})
  })

  it('drops values the API would refuse', () => {
    const f = fromQuery({ warning: 'purple', sort: 'title', overdue: 'maybe', limit: '999',
      status: ['received', null, 'assigned'] })
    expect(f.warning).toBe('')
    expect(f.sort).toBe('')
    expect(f.overdue).toBe('')
    expect(f.limit).toBe('')
    expect(f.status).toEqual(['received', 'assigned'])
  })

  it('turns dates into instants and keeps the whole last day', () => {
    const q = apiQuery({ ...emptyFilters(), from: '2026-11-01', to: '2026-11-30' }, 'abc')
    expect(new Date(q.from).getTime()).toBe(new Date(2026, 10, 1).getTime())
    expect(new Date(q.to).getTime()).toBe(new Date(2026, 11, 1).getTime())
    expect(q.cursor).toBe('abc')
  })
})
